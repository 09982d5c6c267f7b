//! Page against page: the pixels that differ, grouped into boxes, in PDF points.
//!
//! hayro is deterministic: the same page drawn twice gives the same pixels, so an unchanged page
//! has no difference at all. The tolerances are for what surrounds a legitimate change: a pixel
//! counts as different when a colour channel moves by more than [`CHANNEL_TOLERANCE`] (faint
//! anti-aliasing fringes do not), and a widget's rectangle is widened by [`EDGE_TOLERANCE_PX`]
//! pixels (its anti-aliased edge may spill over the /Rect by a pixel).

use serde::Serialize;

use super::render::PageImage;

/// A channel difference (0–255) above which a pixel differs.
pub const CHANNEL_TOLERANCE: u8 = 32;
/// Pixels an allowed rectangle is widened by on each side.
pub const EDGE_TOLERANCE_PX: f64 = 2.0;
/// Differing pixels closer than this (in cells of `CELL` pixels) form one box.
const CELL: u32 = 4;
/// Boxes listed per page at most; beyond, the rest are merged into one.
const MAX_BOXES: usize = 32;

/// One region that differs, in default user space (points, origin bottom left).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiffBox {
    /// `[x0, y0, x1, y1]` in points.
    pub rect: [f64; 4],
    /// The same region in pixels of the final page's picture, `[x0, y0, x1, y1]`.
    #[serde(skip)]
    pub pixels: [u32; 4],
    /// Number of differing pixels.
    pub differing_pixels: u32,
    /// Whether every differing pixel of the region lies inside a rectangle the later revisions
    /// were allowed to draw in (a new signature's stamp, a permitted field or annotation).
    pub inside_allowed_widget: bool,
}

/// Whether pixel `(x, y)` differs between `a` and `b` (same size).
fn differs(a: &PageImage, b: &PageImage, i: usize) -> bool {
    (0..3).any(|c| a.rgb[i * 3 + c].abs_diff(b.rgb[i * 3 + c]) > CHANNEL_TOLERANCE)
}

/// Compares two pictures of the same page; `allowed` are rectangles in default user space of
/// the final page (`after`). Pictures of different sizes differ everywhere.
pub fn compare(before: &PageImage, after: &PageImage, allowed: &[[f64; 4]]) -> Vec<DiffBox> {
    let (w, h) = (after.width, after.height);
    if before.width != w || before.height != h {
        let whole = [0.0, 0.0, w as f64, h as f64];
        return vec![DiffBox {
            rect: after.pixels_to_user(whole),
            pixels: [0, 0, w, h],
            differing_pixels: w * h,
            inside_allowed_widget: false,
        }];
    }
    let allowed_px: Vec<[f64; 4]> = allowed
        .iter()
        .map(|r| {
            let p = after.user_to_pixels(*r);
            [
                p[0] - EDGE_TOLERANCE_PX,
                p[1] - EDGE_TOLERANCE_PX,
                p[2] + EDGE_TOLERANCE_PX,
                p[3] + EDGE_TOLERANCE_PX,
            ]
        })
        .collect();
    let inside = |x: u32, y: u32| {
        let (cx, cy) = (x as f64 + 0.5, y as f64 + 0.5);
        allowed_px
            .iter()
            .any(|r| cx >= r[0] && cx <= r[2] && cy >= r[1] && cy <= r[3])
    };
    // Cells of CELL × CELL pixels: count and bounds of differing pixels, inside and outside.
    let (cw, ch) = (w.div_ceil(CELL), h.div_ceil(CELL));
    let mut cells: Vec<Option<Acc>> = vec![None; (cw * ch) as usize];
    for y in 0..h {
        let row = (y * w) as usize;
        for x in 0..w {
            if !differs(before, after, row + x as usize) {
                continue;
            }
            let c = ((y / CELL) * cw + x / CELL) as usize;
            cells[c]
                .get_or_insert_with(Acc::new)
                .add(x, y, !inside(x, y));
        }
    }
    // Connected groups of cells (8-neighbours).
    let mut seen = vec![false; cells.len()];
    let mut groups: Vec<Acc> = Vec::new();
    for start in 0..cells.len() {
        if seen[start] || cells[start].is_none() {
            continue;
        }
        seen[start] = true;
        let mut acc = Acc::new();
        let mut stack = vec![start];
        while let Some(c) = stack.pop() {
            if let Some(a) = &cells[c] {
                acc.merge(a);
            }
            let (cx, cy) = ((c as u32 % cw) as i64, (c as u32 / cw) as i64);
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (nx, ny) = (cx + dx, cy + dy);
                    if nx < 0 || ny < 0 || nx >= cw as i64 || ny >= ch as i64 {
                        continue;
                    }
                    let n = (ny as u32 * cw + nx as u32) as usize;
                    if !seen[n] && cells[n].is_some() {
                        seen[n] = true;
                        stack.push(n);
                    }
                }
            }
        }
        groups.push(acc);
    }
    // Outside-allowed regions first, then the largest.
    groups.sort_by_key(|g| (g.outside == 0, std::cmp::Reverse(g.count)));
    if groups.len() > MAX_BOXES {
        let rest = groups.split_off(MAX_BOXES - 1);
        let mut merged = Acc::new();
        for g in &rest {
            merged.merge(g);
        }
        groups.push(merged);
    }
    groups
        .into_iter()
        .map(|g| {
            let px = if g.outside > 0 {
                g.out_bounds
            } else {
                g.bounds
            };
            let rect = after.pixels_to_user([
                px[0] as f64,
                px[1] as f64,
                px[2] as f64 + 1.0,
                px[3] as f64 + 1.0,
            ]);
            DiffBox {
                rect: rect.map(|v| (v * 10.0).round() / 10.0),
                pixels: [px[0], px[1], px[2] + 1, px[3] + 1],
                differing_pixels: g.count,
                inside_allowed_widget: g.outside == 0,
            }
        })
        .collect()
}

/// Differing pixels of a region: how many, how many outside allowed rectangles, and bounds
/// (`[x0, y0, x1, y1]`, inclusive) of all and of the outside ones.
#[derive(Clone, Debug)]
struct Acc {
    count: u32,
    outside: u32,
    bounds: [u32; 4],
    out_bounds: [u32; 4],
}

impl Acc {
    fn new() -> Acc {
        Acc {
            count: 0,
            outside: 0,
            bounds: [u32::MAX, u32::MAX, 0, 0],
            out_bounds: [u32::MAX, u32::MAX, 0, 0],
        }
    }

    fn add(&mut self, x: u32, y: u32, outside: bool) {
        self.count += 1;
        grow(&mut self.bounds, [x, y, x, y]);
        if outside {
            self.outside += 1;
            grow(&mut self.out_bounds, [x, y, x, y]);
        }
    }

    fn merge(&mut self, o: &Acc) {
        self.count += o.count;
        grow(&mut self.bounds, o.bounds);
        if o.outside > 0 {
            self.outside += o.outside;
            grow(&mut self.out_bounds, o.out_bounds);
        }
    }
}

fn grow(b: &mut [u32; 4], o: [u32; 4]) {
    b[0] = b[0].min(o[0]);
    b[1] = b[1].min(o[1]);
    b[2] = b[2].max(o[2]);
    b[3] = b[3].max(o[3]);
}

/// The final page dimmed (towards white), every box outlined in red (orange when inside an
/// allowed widget): the difference picture of `kyso compare` and the reports.
pub fn difference_picture(after: &PageImage, boxes: &[DiffBox]) -> Vec<u8> {
    let mut rgb: Vec<u8> = after.rgb.iter().map(|&v| 255 - (255 - v) / 3).collect();
    for b in boxes {
        let colour = if b.inside_allowed_widget {
            [255, 150, 0]
        } else {
            [220, 0, 0]
        };
        outline(&mut rgb, after.width, after.height, b.pixels, colour);
    }
    rgb
}

/// Draws a 2-pixel rectangle around `px` (`[x0, y0, x1, y1)`, exclusive ends), widened by 2.
pub fn outline(rgb: &mut [u8], w: u32, h: u32, px: [u32; 4], colour: [u8; 3]) {
    if w == 0 || h == 0 {
        return;
    }
    let x0 = px[0].saturating_sub(2);
    let y0 = px[1].saturating_sub(2);
    let x1 = (px[2] + 1).min(w - 1);
    let y1 = (px[3] + 1).min(h - 1);
    let mut put = |x: u32, y: u32| {
        if x < w && y < h {
            let i = ((y * w + x) * 3) as usize;
            rgb[i..i + 3].copy_from_slice(&colour);
        }
    };
    for t in 0..2 {
        for x in x0..=x1 {
            put(x, y0 + t);
            put(x, y1.saturating_sub(t));
        }
        for y in y0..=y1 {
            put(x0 + t, y);
            put(x1.saturating_sub(t), y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(w: u32, h: u32) -> PageImage {
        PageImage {
            width: w,
            height: h,
            rgb: vec![255; (w * h * 3) as usize],
            // 1 px per point, y flipped: user (x, y) → pixel (x, h - y).
            to_pixels: [1.0, 0.0, 0.0, -1.0, 0.0, h as f64],
            page_box: [0.0, 0.0, w as f64, h as f64],
        }
    }

    fn paint(img: &mut PageImage, x0: u32, y0: u32, x1: u32, y1: u32, v: u8) {
        for y in y0..y1 {
            for x in x0..x1 {
                let i = ((y * img.width + x) * 3) as usize;
                img.rgb[i..i + 3].copy_from_slice(&[v, v, v]);
            }
        }
    }

    #[test]
    fn identical_pages_have_no_box_and_faint_fringes_are_ignored() {
        let a = blank(100, 100);
        let mut b = blank(100, 100);
        assert!(compare(&a, &b, &[]).is_empty());
        paint(&mut b, 10, 10, 20, 20, 255 - CHANNEL_TOLERANCE);
        assert!(compare(&a, &b, &[]).is_empty());
    }

    #[test]
    fn boxes_are_found_merged_and_placed_in_points() {
        let a = blank(200, 100);
        let mut b = blank(200, 100);
        // Two strokes 2 px apart: one box; a far one: another.
        paint(&mut b, 10, 10, 20, 14, 0);
        paint(&mut b, 10, 16, 20, 20, 0);
        paint(&mut b, 150, 80, 160, 90, 0);
        let boxes = compare(&a, &b, &[]);
        assert_eq!(boxes.len(), 2, "{boxes:?}");
        let first = boxes.iter().find(|x| x.pixels[0] == 10).unwrap();
        assert_eq!(first.pixels, [10, 10, 20, 20]);
        // Pixel rows 10..20 from the top of a 100-pt page: y from 80 to 90 points.
        assert_eq!(first.rect, [10.0, 80.0, 20.0, 90.0]);
        assert!(!first.inside_allowed_widget);
    }

    #[test]
    fn changes_inside_allowed_rectangles_are_marked_and_spill_is_outside() {
        let a = blank(200, 100);
        let mut b = blank(200, 100);
        paint(&mut b, 150, 80, 160, 90, 0);
        // The widget's /Rect in points: x 148..162, y 8..22 (pixel rows 78..92).
        let boxes = compare(&a, &b, &[[148.0, 8.0, 162.0, 22.0]]);
        assert_eq!(boxes.len(), 1);
        assert!(boxes[0].inside_allowed_widget);
        // The same stamp drawn 10 points to the left of its rectangle: outside.
        let boxes = compare(&a, &b, &[[158.0, 8.0, 172.0, 22.0]]);
        assert!(!boxes[0].inside_allowed_widget);
        assert_eq!(boxes[0].pixels[0], 150);
        assert!(boxes[0].pixels[2] <= 156, "{:?}", boxes[0]);
    }

    #[test]
    fn a_page_of_another_size_differs_whole() {
        let boxes = compare(&blank(100, 200), &blank(200, 100), &[]);
        assert_eq!(boxes.len(), 1);
        assert_eq!(boxes[0].pixels, [0, 0, 200, 100]);
    }
}
