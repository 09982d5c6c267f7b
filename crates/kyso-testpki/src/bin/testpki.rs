//! `testpki DIR`: the throw-away PKI of [`kyso_testpki::local::LocalPki`] for the benches
//! (benches/ltv.sh). Makes it in a new folder under DIR — root CA → intermediate CA → a signer
//! (`signer.p12`, empty password, with the chain; "Nguyễn Văn Ký", 365 days) and a TSA (365
//! days) — serves its CRLs, OCSP and TSA on 127.0.0.1 until the process is killed, and when
//! ready writes `DIR/testpki.env` (`url=`, `root=`, `p12=`, `hits=`, `dir=` lines; also
//! printed).

use std::io::Write;
use std::path::PathBuf;

use kyso_testpki::local::LocalPki;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: testpki DIR");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    let pki = LocalPki::start(365, Some(&dir), None);
    let p12 = pki.signer("signer", "Nguyễn Văn Ký", 365);
    let env = format!(
        "url={}\nroot={}\np12={}\nhits={}\ndir={}\n",
        pki.url(""),
        pki.root().display(),
        p12.display(),
        pki.path("hits.log").display(),
        pki.dir.path().display(),
    );
    // Written whole, then renamed: a reader never sees half of it.
    let tmp = dir.join("testpki.env.tmp");
    std::fs::write(&tmp, &env).expect("write testpki.env");
    std::fs::rename(&tmp, dir.join("testpki.env")).expect("write testpki.env");
    print!("{env}");
    let _ = std::io::stdout().flush();
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
