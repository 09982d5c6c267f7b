//! Without the feature `appearance`: no font can be read and no picture decoded, so
//! [`super::resolve`] refuses every visible signature with [`not_built`]'s error, never an
//! empty or partial appearance. The types keep the paths and members of the real modules so
//! that the layout code compiles unchanged; none of them can be made.

use crate::error::Error;

/// The error of every visible signature asked of this build.
pub(crate) fn not_built() -> Error {
    Error::InvalidArgument(
        "this build of kyso has no visible signatures (it was built without the feature \
         `appearance`): sign without an appearance, or use a build with it"
            .into(),
    )
}

/// Fonts for appearance text; in this build none can be read.
pub mod font {
    use std::convert::Infallible;
    use std::sync::Arc;

    use crate::error::Result;
    use crate::pdf::{IncrementalUpdate, ObjRef, Object, PdfString};

    /// A TrueType font; cannot be made in this build.
    #[derive(Debug)]
    pub struct Font {
        /// Ascent in text space units (1/1000 em).
        pub ascent: f64,
        /// Descent in text space units (1/1000 em), negative below the baseline.
        pub descent: f64,
        never: Infallible,
    }

    impl Font {
        /// Always the error that this build has no visible signatures.
        pub fn default_serif() -> Result<Font> {
            Err(super::not_built())
        }

        /// Always the error that this build has no visible signatures.
        pub fn from_bytes(_data: Vec<u8>, _what: &str) -> Result<Font> {
            Err(super::not_built())
        }

        /// The glyph id for `c` (never called: no font exists).
        pub fn glyph(&self, _c: char) -> Option<u16> {
            match self.never {}
        }

        /// Advance width in 1/1000 em (never called: no font exists).
        pub fn advance(&self, _gid: u16) -> f64 {
            match self.never {}
        }

        /// Width of `text` at `size` points (never called: no font exists).
        pub fn width(&self, _text: &str, _size: f64) -> f64 {
            match self.never {}
        }
    }

    /// The glyphs of one font used by an appearance; cannot be made in this build.
    #[derive(Debug, Clone)]
    pub struct FontUse {
        /// The font (which cannot exist in this build).
        pub font: Arc<Font>,
    }

    impl FontUse {
        /// Wraps `font` (which cannot exist in this build).
        pub fn new(font: Arc<Font>) -> FontUse {
            match font.never {}
        }

        /// Never called: no font exists.
        pub fn encode(&mut self, _text: &str) -> Result<Vec<u8>> {
            match self.font.never {}
        }

        /// Never called: no font exists.
        pub fn write(&self, _update: &mut IncrementalUpdate) -> Result<ObjRef> {
            match self.font.never {}
        }
    }

    /// A hexadecimal string operand for `Tj`.
    pub fn hex_string(bytes: Vec<u8>) -> Object {
        Object::String(PdfString { bytes, hex: true })
    }
}

/// PNG pictures; in this build none can be decoded.
pub mod image {
    use std::convert::Infallible;

    use crate::error::Result;
    use crate::pdf::{IncrementalUpdate, ObjRef};

    /// A decoded picture; cannot be made in this build.
    #[derive(Clone, Debug)]
    pub struct Picture {
        /// Width in pixels.
        pub width: u32,
        /// Height in pixels.
        pub height: u32,
        /// Bits per sample: 8 or 16.
        pub bits: u8,
        /// Colour components: 1 (gray) or 3 (RGB).
        pub components: u8,
        /// The colour samples, row by row from the top.
        pub color: Vec<u8>,
        /// The alpha samples, when the picture has a transparent part.
        pub alpha: Option<Vec<u8>>,
        /// Resolution from the PNG's pHYs chunk, in dots per inch.
        pub dpi: Option<f64>,
        never: Infallible,
    }

    impl Picture {
        /// Always the error that this build has no visible signatures.
        pub fn from_png(_bytes: &[u8], _what: &str) -> Result<Picture> {
            Err(super::not_built())
        }

        /// Width over height (never called: no picture exists).
        pub fn aspect(&self) -> f64 {
            match self.never {}
        }

        /// Never called: no picture exists.
        pub fn write(&self, _update: &mut IncrementalUpdate) -> ObjRef {
            match self.never {}
        }
    }
}
