//! Sessions round-trip through JSON and URL fragments, and corrupt ones are refused with a
//! message naming the part, never half-applied.

use roofscale::model::law::{Law, PaperLaw};
use roofscale::model::precision::Precision;
use roofscale::model::search::{Objective, SearchSpaceSpec};
use roofscale::model::workload::WorkloadSpec;
use roofscale::session::{Session, SESSION_VERSION};

fn session() -> Session {
    Session {
        version: SESSION_VERSION,
        custom_devices: vec![],
        device: "Jetson AGX Orin 64GB".into(),
        custom_models: vec![],
        model: "Qwen2.5-0.5B".into(),
        precision: Precision::FP16,
        workload: WorkloadSpec::default(),
        law: Law::Paper(PaperLaw::published()),
        law_source: "published".into(),
        space: SearchSpaceSpec::default(),
        precisions: vec![Precision::FP16, Precision::INT8],
        objective: Objective::Decode,
        budget_s: Some(0.02),
        pins: vec![3, 9000],
    }
}

#[test]
fn json_and_url_round_trip() {
    let s = session();
    let back = Session::from_json("s.json", &s.to_json()).unwrap();
    assert_eq!(back.session, s);
    let url = s.to_url_fragment();
    assert!(url
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(Session::from_url_fragment(&url).unwrap().session, s);
}

#[test]
fn corrupt_sessions_name_the_part() {
    let mut s = session();
    s.pins = vec![10_000];
    assert_eq!(
        Session::from_json("s.json", &s.to_json()).unwrap_err().0,
        "s.json: session: pinned design 10000 is outside the search space"
    );
    let mut s = session();
    s.version = 99;
    assert_eq!(
        Session::from_json("s.json", &s.to_json()).unwrap_err().0,
        "s.json: session: version 99 is not supported (this page reads version 1)"
    );
    let mut s = session();
    s.workload.batch = 0;
    assert!(Session::from_json("s.json", &s.to_json())
        .unwrap_err()
        .0
        .starts_with("s.json: session: workload: batch"));
    assert!(Session::from_json("s.json", "{")
        .unwrap_err()
        .0
        .starts_with("s.json: EOF while parsing"));
    assert!(Session::from_url_fragment("!!!")
        .unwrap_err()
        .0
        .starts_with("the link: not a session"));
}

#[test]
fn garbage_links_never_panic() {
    use rand::{rngs::SmallRng, Rng, SeedableRng};
    let good = session().to_url_fragment().into_bytes();
    let mut rng = SmallRng::seed_from_u64(11);
    for _ in 0..2_000 {
        let mut b = good.clone();
        for _ in 0..rng.random_range(1..4) {
            let i = rng.random_range(0..b.len());
            b[i] = b"ABCxyz019-_"[rng.random_range(0..11)];
        }
        let _ = Session::from_url_fragment(&String::from_utf8(b).unwrap());
    }
}
