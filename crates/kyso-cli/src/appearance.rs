//! `kyso sign` options for visible signatures (Decree 30/2020 layouts), filled into the
//! library's `kyso::request::SignRequest`; the layout itself is the library's
//! `kyso::appearance`.

use std::path::PathBuf;

use kyso::request::SignRequest;

#[derive(clap::Args, Default)]
pub struct AppearanceArgs {
    /// Make the signature visible, laid out for this role (Decree 30/2020 Appendix I):
    /// leader (signature picture), organization (seal + text), attachment, copy.
    /// Without --role the signature is invisible.
    #[arg(long, value_parser = ["leader", "organization", "attachment", "copy"])]
    pub role: Option<String>,
    /// PNG picture with a transparent background: the leader's blue signature or the agency's
    /// red seal.
    #[arg(long, value_name = "PNG")]
    pub image: Option<PathBuf>,
    /// Explicit placement on --page: x,y,w,h in points from the lower left corner (an `mm`
    /// suffix gives millimetres). Default: found from the anchor text or the leader signature.
    #[arg(long, value_name = "X,Y,W,H", allow_hyphen_values = true)]
    pub rect: Option<String>,
    /// Text the leader's picture is placed above (default: the certificate's common name).
    #[arg(long, value_name = "TEXT")]
    pub anchor: Option<String>,
    /// The seal's real diameter in millimetres (default: from the PNG's resolution, else 36).
    #[arg(long, value_name = "MM")]
    pub seal_diameter_mm: Option<f64>,
    /// Organization: no text block beside the seal.
    #[arg(long)]
    pub no_text: bool,
    /// The document's number and symbol, e.g. "123/UBND-VP" (attachment, copy, organization).
    #[arg(long, value_name = "TEXT")]
    pub doc_number: Option<String>,
    /// The issue date shown with the organization's text block.
    #[arg(long, value_name = "DATE")]
    pub doc_date: Option<String>,
    /// Copy type for --role copy: "SAO Y" (default), "SAO LỤC" or "TRÍCH SAO".
    #[arg(long, value_name = "TYPE")]
    pub copy_type: Option<String>,
    /// Agency name shown (default: from the certificate).
    #[arg(long, value_name = "NAME")]
    pub agency: Option<String>,
    /// TrueType font for the text (default: the bundled Liberation Serif, Times-compatible).
    #[arg(long, value_name = "TTF")]
    pub font: Option<PathBuf>,
}

impl AppearanceArgs {
    /// On the command line the rule "these need --role" is told in flags (the library, which
    /// checks it too, names fields).
    pub fn check(&self) -> Result<(), String> {
        if self.role.is_some() {
            return Ok(());
        }
        let given = [
            ("--image", self.image.is_some()),
            ("--rect", self.rect.is_some()),
            ("--anchor", self.anchor.is_some()),
            ("--seal-diameter-mm", self.seal_diameter_mm.is_some()),
            ("--no-text", self.no_text),
            ("--doc-number", self.doc_number.is_some()),
            ("--doc-date", self.doc_date.is_some()),
            ("--copy-type", self.copy_type.is_some()),
            ("--agency", self.agency.is_some()),
            ("--font", self.font.is_some()),
        ];
        match given.iter().find(|(_, g)| *g) {
            Some((name, _)) => Err(format!(
                "{name} applies to visible signatures: add --role leader|organization|attachment|copy"
            )),
            None => Ok(()),
        }
    }

    /// Puts these flags into the library's request (which checks them: a field given without
    /// --role is refused there, by its name).
    pub fn fill(&self, r: &mut SignRequest) {
        r.role = self.role.clone();
        r.image = self.image.clone();
        r.rect = self.rect.clone();
        r.anchor = self.anchor.clone();
        r.seal_diameter_mm = self.seal_diameter_mm;
        r.no_text = self.no_text;
        r.doc_number = self.doc_number.clone();
        r.doc_date = self.doc_date.clone();
        r.copy_type = self.copy_type.clone();
        r.agency = self.agency.clone();
        r.font = self.font.clone();
    }
}
