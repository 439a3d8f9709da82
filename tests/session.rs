//! Sessions round-trip through JSON and URL fragments, and corrupt ones are refused with a
//! message naming the part, never half-applied.

use roofscale::model::device::device_presets;
use roofscale::model::law::{Law, PaperLaw};
use roofscale::model::loss_csv::ColumnMapping;
use roofscale::model::precision::Precision;
use roofscale::model::search::{BudgetBasis, LatencyBudget, Objective, SearchSpaceSpec};
use roofscale::model::workload::WorkloadSpec;
use roofscale::session::{SavedLossData, Session, SESSION_VERSION};

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
        budget_s: None,
        budget: Some(LatencyBudget::new(BudgetBasis::PerToken, 25.0).unwrap()),
        param_range: (Some(3.5e8), Some(1.5e9)),
        pins: vec![3, 9000],
        training_tokens: 2e10,
        law_concerns: vec![],
        law_ranges: vec![],
        ref_pins: vec!["Qwen2.5-0.5B".into()],
        chart_refs: vec![],
        loss_data: Some(SavedLossData {
            file_name: "my-losses.csv".into(),
            text: "layers,hidden_size,loss\n8,768,3.9\n16,1024,3.5\n".into(),
            mapping: ColumnMapping::default().with("hidden_size", None),
        }),
    }
}

#[test]
fn json_and_url_round_trip() {
    let s = session();
    let back = Session::from_json("s.json", &s.to_json()).unwrap();
    assert_eq!(back.session, s);
    // A calibrated device of the user's with a fraction of its own for Q8_0 weights comes
    // back with it, in a file and in a link.
    let mut spec = device_presets()[0].spec().clone();
    spec.name = "my calibrated board".into();
    spec.format_bandwidth_fractions =
        roofscale::model::format_fractions::FormatFractions::parse("q8_0=0.577; fp16=0.7").unwrap();
    let mine = roofscale::model::device::Device::new(spec).unwrap();
    let with_mine = Session {
        custom_devices: vec![mine.spec().clone()],
        device: mine.name().into(),
        ..session()
    };
    let back = Session::from_json("s.json", &with_mine.to_json()).unwrap();
    assert_eq!(back.session, with_mine);
    let url = with_mine.to_url_fragment();
    assert_eq!(Session::from_url_fragment(&url).unwrap().session, with_mine);
    let url = s.to_url_fragment();
    assert!(url
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(Session::from_url_fragment(&url).unwrap().session, s);
}

/// Deployment formats compared on the frontier, with overrides and the CPU path, survive a
/// save and a link.
#[test]
fn deployment_formats_round_trip() {
    use roofscale::model::gguf_mix::GgufScheme;
    use roofscale::model::weight_format::{CustomBits, MatmulPath, MlcScheme, WeightFormat};
    let q4 = Precision::weight_only(WeightFormat::Gguf(GgufScheme::Q4_K_M));
    let mut s = session();
    s.precision = q4.with_lm_head(Some(WeightFormat::Gguf(GgufScheme::Q8_0)));
    s.precisions = vec![
        Precision::FP16,
        q4.with_matmul(MatmulPath::Cpu),
        Precision::weight_only(WeightFormat::Mlc(MlcScheme::Q4f16_1)),
        Precision::weight_only(WeightFormat::Custom(CustomBits::new(4.25).unwrap())),
    ];
    let back = Session::from_json("s.json", &s.to_json()).unwrap();
    assert_eq!(back.session, s);
    let url = s.to_url_fragment();
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

/// Orin Nano Super switched to its measured bandwidth (59.4 of 102 GB/s) comes back measured,
/// selected, and listed once (it used to come back rated and twice).
#[test]
fn measured_bandwidth_survives_the_link_and_the_file() {
    let presets = device_presets();
    let i = presets
        .iter()
        .position(|d| d.name().contains("Orin Nano Super"))
        .expect("preset");
    let nano = &presets[i];
    let m = nano
        .measured_bandwidth_fraction()
        .expect("published measurement");
    let measured = nano.with_bandwidth_fraction(m).unwrap();
    let mut s = session();
    s.device = nano.name().to_string();
    s.custom_devices = vec![measured.spec().clone()];
    for back in [
        Session::from_json("s.json", &s.to_json()).unwrap(),
        Session::from_url_fragment(&s.to_url_fragment()).unwrap(),
    ] {
        let (list, index) =
            Session::merge_devices(device_presets(), back.custom_devices, &back.session.device);
        assert_eq!(list.len(), presets.len(), "no duplicate device");
        assert_eq!(list[index].name(), nano.name());
        assert!(
            (list[index].bandwidth() / 1e9 - 59.4).abs() < 0.05,
            "{}",
            list[index].bandwidth()
        );
    }
}

/// Budget basis, parameter range and the loss file with its mapping survive; a version-1
/// session's bare budget in seconds reads as a budget on its objective.
#[test]
fn every_session_input_round_trips() {
    let s = session();
    let back = Session::from_json("s.json", &s.to_json()).unwrap();
    assert_eq!(back.budget, s.budget);
    assert_eq!(back.session.param_range, (Some(3.5e8), Some(1.5e9)));
    let table = back.loss_table.expect("loss file re-parsed");
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.roles[1], None, "the user's mapping is kept");
    let mut old = session();
    old.budget = None;
    old.budget_s = Some(0.02);
    let json = serde_json::to_string(&old).unwrap();
    assert!(!json.contains("budget_s"), "never written");
    let json = json.replace("\"budget\":null", "\"budget_s\":0.02");
    let v = Session::from_json("old.json", &json).unwrap();
    let b = v.budget.unwrap();
    assert_eq!((b.basis(), b.ms()), (BudgetBasis::DecodeTotal, 20.0));
}
