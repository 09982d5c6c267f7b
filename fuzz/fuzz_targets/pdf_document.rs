//! The PDF reader and the revision model: open, list revisions' objects, pages, fields, and
//! walk every revision's object graph.
#![no_main]

use std::sync::Arc;

use kyso::pdf::{Document, MemorySource};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = Document::open(Arc::new(MemorySource::new(data.to_vec()))) else {
        return;
    };
    for rev in 0..doc.revisions.len() {
        let _ = doc.pages_at(rev);
        let _ = doc.fields_at(rev);
        let _ = kyso::diff::roles::roles_at(&doc, rev);
        for num in doc.revisions[rev].object_numbers().take(200) {
            let _ = doc.get_at(rev, kyso::pdf::ObjRef::new(num, 0));
        }
    }
    let _ = kyso::pdf::signatures::find_signatures(&doc);
});
