//! The visual check (issue 14) as a detector on its own: documents changed after signing in
//! ways that show are caught on the right page by the pictures alone (the object-level change
//! analysis switched off), and by the whole verification; legitimate later signatures are not.

use std::path::PathBuf;
use std::sync::Arc;

use kyso::appearance::{AppearanceRequest, Role};
use kyso::pdf::writer::IncrementalUpdate;
use kyso::pdf::{Dict, Document, MemorySource, ObjRef, Object};
use kyso::pki::Certificate;
use kyso::sign::{load_p12, sign_bytes, SignOptions};
use kyso::verify::{verify_bytes, Indication, Report, VerifyOptions};
use kyso::visual::VisualStatus;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).unwrap()
}

fn sign(pdf: &[u8], p12: &str, pass: &str, role: Role, image: &str) -> Vec<u8> {
    let identity = load_p12(&read(&format!("pki/{p12}")), pass).unwrap();
    let mut appearance = AppearanceRequest::default();
    appearance.role = role;
    appearance.image = Some(fixtures().join(image));
    let mut opts = SignOptions::default();
    opts.appearance = Some(appearance);
    sign_bytes(pdf, &identity, &opts).unwrap().0
}

fn leader(pdf: &[u8]) -> Vec<u8> {
    sign(
        pdf,
        "leader.p12",
        "12345678",
        Role::Leader,
        "images/signature-blue.png",
    )
}

fn seal(pdf: &[u8]) -> Vec<u8> {
    sign(
        pdf,
        "agency.p12",
        "",
        Role::Organization,
        "images/seal-red.png",
    )
}

fn options(analysis_off: bool) -> VerifyOptions {
    let mut opts = VerifyOptions::default();
    opts.trust = Certificate::parse_pem_or_der(&read("pki/root.pem")).unwrap();
    opts.crls = vec![read("pki/intermediate.crl"), read("pki/root.crl")];
    opts.change_analysis_off = analysis_off;
    opts
}

/// Appends an incremental update made by `f`.
fn update(pdf: &[u8], f: impl FnOnce(&Document, &mut IncrementalUpdate)) -> Vec<u8> {
    let doc = Document::open(Arc::new(MemorySource::new(pdf.to_vec()))).unwrap();
    let mut up = IncrementalUpdate::new(&doc);
    f(&doc, &mut up);
    let written = up
        .write(pdf.len() as u64, !pdf.ends_with(b"\n"), None)
        .expect("an unencrypted update is written");
    let mut out = pdf.to_vec();
    out.extend_from_slice(&written.bytes);
    out
}

fn page(doc: &Document, n: usize) -> (ObjRef, Dict) {
    let r = doc.pages_at(doc.last_revision()).unwrap()[n - 1];
    let d = doc
        .resolve_dict_at(doc.last_revision(), &Object::Ref(r))
        .unwrap()
        .unwrap();
    (r, d)
}

/// A new content stream drawn after page `n`'s own.
fn draw_on_page(doc: &Document, up: &mut IncrementalUpdate, n: usize, ops: &str) -> (ObjRef, Dict) {
    let (r, mut d) = page(doc, n);
    let extra = up.allocate();
    up.set_stream(extra, Dict::new(), ops.as_bytes().to_vec());
    let mut contents = match d.get("Contents") {
        Some(Object::Array(a)) => a.clone(),
        Some(c) => vec![c.clone()],
        None => vec![],
    };
    // q … Q around the original keeps its graphics state from leaking into ours.
    let q = up.allocate();
    up.set_stream(q, Dict::new(), b"q\n".to_vec());
    let qq = up.allocate();
    up.set_stream(qq, Dict::new(), b"\nQ\n".to_vec());
    contents.insert(0, Object::Ref(q));
    contents.push(Object::Ref(qq));
    contents.push(Object::Ref(extra));
    d.set("Contents", Object::Array(contents));
    (r, d)
}

/// Verified, with the words filled in English (as the front doors do).
fn verify(pdf: &[u8], analysis_off: bool) -> Report {
    let mut r = verify_bytes(pdf, &options(analysis_off)).unwrap();
    kyso::text::report::localise(&mut r, kyso::text::Lang::En);
    r
}

/// The attack is found on `page` by the pictures alone, and the whole verification fails it.
fn assert_caught(name: &str, pdf: &[u8], page: usize) {
    let r = verify(pdf, true);
    let s = &r.signatures[0];
    let v = s
        .visual
        .as_ref()
        .unwrap_or_else(|| panic!("{name}: no visual check"));
    assert_eq!(
        s.indication,
        Indication::TotalFailed,
        "{name}: {}",
        s.message
    );
    assert_eq!(
        s.kyso_reason.as_deref(),
        Some("VISIBLE_DIFFERENCE"),
        "{name}"
    );
    assert_eq!(v.status, VisualStatus::Difference, "{name}: {v:?}");
    assert_eq!(
        v.first_violation().map(|x| x.0),
        Some(page),
        "{name}: {v:?}"
    );
    assert!(
        s.message.contains(&format!("page {page}")) || s.message.contains(&format!("trang {page}")),
        "{name}: {}",
        s.message
    );
    // Only the attacked page differs.
    assert!(
        v.boxes
            .iter()
            .all(|b| b.page == page || b.diff.inside_allowed_widget),
        "{name}: {v:?}"
    );
    let full = verify(pdf, false);
    assert_eq!(
        full.signatures[0].indication,
        Indication::TotalFailed,
        "{name}"
    );
    let fv = full.signatures[0].visual.as_ref().unwrap();
    assert_eq!(
        fv.first_violation().map(|x| x.0),
        Some(page),
        "{name}: {fv:?}"
    );
}

#[test]
fn leader_then_seal_passes_with_the_stamp_inside_its_widget() {
    let both = seal(&leader(&read("docs/quyetdinh-multipage.pdf")));
    for off in [false, true] {
        let r = verify(&both, off);
        assert_eq!(
            r.indication,
            Indication::TotalPassed,
            "{:#?}",
            r.signatures[0].message
        );
        let v = r.signatures[0].visual.as_ref().unwrap();
        assert_eq!(v.status, VisualStatus::NoDifference);
        // The seal is on the last page: the other two are proven unchanged without drawing.
        assert_eq!(v.pages_compared, vec![3], "{v:?}");
        assert_eq!(v.pages_unchanged, vec![1, 2]);
        assert!(!v.boxes.is_empty() && v.boxes.iter().all(|b| b.diff.inside_allowed_widget));
        assert!(
            r.signatures[1].visual.is_none(),
            "the seal covers the whole file"
        );
    }
    // Off: no visual report at all.
    let mut o = options(false);
    o.visual.enabled = false;
    let r = verify_bytes(&both, &o).unwrap();
    assert!(r.signatures[0].visual.is_none());
}

#[test]
fn text_replaced_is_caught() {
    let signed = leader(&read("docs/quyetdinh-multipage.pdf"));
    // Page 2 shows page 1's text.
    let pdf = update(&signed, |doc, up| {
        let (_, p1) = page(doc, 1);
        let (r2, mut p2) = page(doc, 2);
        p2.set("Contents", p1.get("Contents").unwrap().clone());
        up.set(r2, Object::Dict(p2));
    });
    assert_caught("text replaced", &pdf, 2);
}

#[test]
fn page_rotated_is_caught() {
    let signed = leader(&read("docs/quyetdinh-multipage.pdf"));
    let pdf = update(&signed, |doc, up| {
        let (r, mut d) = page(doc, 2);
        d.set("Rotate", Object::Int(90));
        up.set(r, Object::Dict(d));
    });
    assert_caught("page rotated", &pdf, 2);
}

#[test]
fn overlay_is_caught() {
    let signed = leader(&read("docs/quyetdinh-multipage.pdf"));
    // A white box over a paragraph of page 1 and a black bar: text hidden, a mark added.
    let pdf = update(&signed, |doc, up| {
        let (r, d) = draw_on_page(doc, up, 1, "1 g 80 500 400 60 re f 0 g 100 300 200 4 re f");
        up.set(r, Object::Dict(d));
    });
    assert_caught("overlay", &pdf, 1);
}

#[test]
fn annotation_where_none_is_allowed_is_caught() {
    let signed = leader(&read("docs/quyetdinh-multipage.pdf"));
    let pdf = update(&signed, |doc, up| {
        let (r, mut d) = page(doc, 3);
        let ap = up.allocate();
        let mut apd = Dict::new();
        apd.set("Type", Object::name("XObject"));
        apd.set("Subtype", Object::name("Form"));
        apd.set(
            "BBox",
            Object::Array(vec![
                0.into_obj(),
                0.into_obj(),
                200.into_obj(),
                40.into_obj(),
            ]),
        );
        up.set_stream(ap, apd, b"1 0 0 rg 0 0 200 40 re f".to_vec());
        let annot = up.allocate();
        let mut a = Dict::new();
        a.set("Type", Object::name("Annot"));
        a.set("Subtype", Object::name("Square"));
        a.set(
            "Rect",
            Object::Array(vec![
                100.into_obj(),
                600.into_obj(),
                300.into_obj(),
                640.into_obj(),
            ]),
        );
        a.set("F", Object::Int(4));
        let mut apn = Dict::new();
        apn.set("N", Object::Ref(ap));
        a.set("AP", Object::Dict(apn));
        up.set(annot, Object::Dict(a));
        let mut annots = match d
            .get("Annots")
            .map(|x| doc.resolve_at(doc.last_revision(), x).unwrap())
        {
            Some(Object::Array(x)) => x,
            _ => vec![],
        };
        annots.push(Object::Ref(annot));
        d.set("Annots", Object::Array(annots));
        up.set(r, Object::Dict(d));
    });
    assert_caught("annotation", &pdf, 3);
    // With the analysis on, it is also a disallowed change, named as such.
    let r = verify(&pdf, false);
    assert!(r.signatures[0].modifications.iter().any(|m| !m.allowed));
}

#[test]
fn optional_content_switched_on_is_caught() {
    // Before signing: page 1 carries a layer that is off (a red box nobody sees).
    let base = read("docs/quyetdinh-multipage.pdf");
    let layered = update(&base, |doc, up| {
        let rev = doc.last_revision();
        let ocg = up.allocate();
        let mut o = Dict::new();
        o.set("Type", Object::name("OCG"));
        o.set("Name", Object::text("hidden"));
        up.set(ocg, Object::Dict(o));
        let (r, mut d) = draw_on_page(doc, up, 1, "/OC /L1 BDC 1 0 0 rg 100 400 300 100 re f EMC");
        let mut res = doc
            .resolve_dict_at(rev, d.get("Resources").unwrap())
            .unwrap()
            .unwrap();
        let mut props = Dict::new();
        props.set("L1", Object::Ref(ocg));
        res.set("Properties", Object::Dict(props));
        d.set("Resources", Object::Dict(res));
        up.set(r, Object::Dict(d));
        let cat_ref = doc.catalog_ref_at(rev).unwrap();
        let mut cat = doc.catalog_at(rev).unwrap();
        let mut ocp = Dict::new();
        ocp.set("OCGs", Object::Array(vec![Object::Ref(ocg)]));
        let mut dflt = Dict::new();
        dflt.set("OFF", Object::Array(vec![Object::Ref(ocg)]));
        ocp.set("D", Object::Dict(dflt));
        cat.set("OCProperties", Object::Dict(ocp));
        up.set(cat_ref, Object::Dict(cat));
    });
    let signed = leader(&layered);
    assert_eq!(verify(&signed, false).indication, Indication::TotalPassed);
    let pdf = update(&signed, |doc, up| {
        let rev = doc.last_revision();
        let cat_ref = doc.catalog_ref_at(rev).unwrap();
        let mut cat = doc.catalog_at(rev).unwrap();
        let mut ocp = cat.get("OCProperties").unwrap().as_dict().unwrap().clone();
        let mut dflt = Dict::new();
        dflt.set("OFF", Object::Array(vec![]));
        ocp.set("D", Object::Dict(dflt));
        cat.set("OCProperties", Object::Dict(ocp));
        up.set(cat_ref, Object::Dict(cat));
    });
    assert_caught("layer switched on", &pdf, 1);
}

#[test]
fn malformed_later_revision_is_not_no_difference() {
    // A later revision whose page 1 content cannot be drawn sensibly still yields a verdict
    // (a difference or an error), never a panic or a silent pass.
    let signed = leader(&read("docs/congvan.pdf"));
    let pdf = update(&signed, |doc, up| {
        let (r, mut d) = page(doc, 1);
        let bad = up.allocate();
        up.set_stream(
            bad,
            Dict::new(),
            b"q q q 1e308 0 0 1e308 0 0 cm BT /Nope 1e30 Tf (x) Tj ET 0 0 m 1 1 l S Q ) ] >> <<"
                .to_vec(),
        );
        d.set("Contents", Object::Ref(bad));
        up.set(r, Object::Dict(d));
    });
    let r = verify(&pdf, true);
    let v = r.signatures[0].visual.as_ref().unwrap();
    assert_ne!(v.status, VisualStatus::NoDifference, "{v:?}");
    assert_ne!(r.signatures[0].indication, Indication::TotalPassed);
}

trait IntoObj {
    fn into_obj(self) -> Object;
}

impl IntoObj for i64 {
    fn into_obj(self) -> Object {
        Object::Int(self)
    }
}
