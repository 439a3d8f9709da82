//! Form fields read by the core, as the page's forms type them: the fit settings and the
//! search-space editor. Messages are checked word for word; text written from a spec reads
//! back as the same spec.

use roofscale::model::arch::FfnKind;
use roofscale::model::fit::{FitOptions, FitOptionsText, FitTextError, Holdout, OptionError};
use roofscale::model::search::{
    parse_attention_kinds, parse_kv_heads, AttentionKind, KvHeads, SearchSpace, SearchSpaceSpec,
    SearchSpaceText,
};

fn fit_error(edit: fn(&mut FitOptionsText)) -> String {
    let mut t = FitOptionsText::new();
    edit(&mut t);
    t.parse().unwrap_err().to_string()
}

#[test]
fn the_fit_forms_first_text_is_the_default_options() {
    assert_eq!(FitOptionsText::new().parse(), Ok(FitOptions::default()));
    let t = FitOptionsText {
        huber_delta: " 0.01 ".into(),
        least_squares: false,
        holdout_pct: "0".into(),
        bootstrap: "0".into(),
        starts: "64".into(),
    };
    let want = FitOptions::default()
        .with_huber_delta(0.01)
        .and_then(|o| o.with_holdout(Holdout::Auto { fraction: 0.0 }))
        .and_then(|o| o.with_bootstrap(0))
        .and_then(|o| o.with_starts(64))
        .unwrap();
    assert_eq!(t.parse(), Ok(want));
    // Least squares ignores δ, even unreadable.
    let t = FitOptionsText {
        huber_delta: "x".into(),
        least_squares: true,
        ..FitOptionsText::new()
    };
    assert_eq!(t.parse().unwrap().huber_delta(), None);
}

#[test]
fn bad_fit_settings_are_named_word_for_word() {
    assert_eq!(
        fit_error(|t| t.huber_delta = " abc ".into()),
        "Huber δ: expected a number, found \"abc\""
    );
    assert_eq!(
        fit_error(|t| t.huber_delta = "-1".into()),
        "fit option: Huber δ must be a positive number, found -1"
    );
    assert_eq!(
        fit_error(|t| t.holdout_pct = "".into()),
        "held-out %: expected a number, found \"\""
    );
    assert_eq!(
        fit_error(|t| t.holdout_pct = "95".into()),
        "fit option: the held-out fraction must be at least 0 and below 0.9, found 0.95"
    );
    assert_eq!(
        fit_error(|t| t.bootstrap = "1.5".into()),
        "bootstrap resamples: expected a whole number, found \"1.5\""
    );
    assert_eq!(
        fit_error(|t| t.bootstrap = "20000".into()),
        "fit option: at most 10000 bootstrap resamples, found 20000"
    );
    assert_eq!(
        fit_error(|t| t.starts = "-3".into()),
        "starts: expected a whole number, found \"-3\""
    );
    assert_eq!(
        fit_error(|t| t.starts = "0".into()),
        "fit option: starts must be between 1 and 64, found 0"
    );
    // The first bad field in form order is the one named.
    let mut t = FitOptionsText::new();
    t.holdout_pct = "x".into();
    t.starts = "x".into();
    assert_eq!(
        t.parse(),
        Err(FitTextError::NotANumber {
            field: "held-out %",
            found: "x".into()
        })
    );
    t.holdout_pct = "95".into();
    assert!(matches!(
        t.parse(),
        Err(FitTextError::Refused(OptionError(_)))
    ));
}

#[test]
fn kv_heads_read_counts_ranges_and_n_h() {
    assert_eq!(
        parse_kv_heads("n_h, 4; MHA 1..3").unwrap(),
        [
            KvHeads::Mha,
            KvHeads::Count(4),
            KvHeads::Mha,
            KvHeads::Count(1),
            KvHeads::Count(2),
            KvHeads::Count(3)
        ]
    );
    assert_eq!(parse_kv_heads(" , ").unwrap(), []);
    assert_eq!(
        parse_kv_heads("1, four").unwrap_err().to_string(),
        "KV heads, item 2: expected a whole number or n_h, found \"four\""
    );
    assert_eq!(
        parse_kv_heads("n_h 0").unwrap_err().to_string(),
        "KV heads, item 2: expected a whole number or n_h, found \"0\""
    );
}

#[test]
fn attention_kinds_read_one_per_item_and_name_the_bad_one() {
    assert_eq!(
        parse_attention_kinds("full, swa:512/6 mla:256").unwrap(),
        [
            AttentionKind::Full,
            AttentionKind::Sliding {
                window: 512,
                global_every: 6
            },
            AttentionKind::Mla {
                kv_lora_rank: 256,
                rope_dim: 64
            }
        ]
    );
    assert_eq!(
        parse_attention_kinds("full; window")
            .unwrap_err()
            .to_string(),
        "attention, item 2: expected \"full\", \"swa:W/k\" or \"mla:R\", found \"window\""
    );
}

#[test]
fn space_text_reads_back_as_the_spec_it_was_written_from() {
    let spec = SearchSpaceSpec::default();
    let text = SearchSpaceText::from_spec(&spec);
    assert_eq!(text.layers, "4..32/4");
    assert_eq!(text.experts, "1:1, 8:1, 8:2, 16:1, 16:2");
    let space = text.parse(spec.ffn_kind).unwrap();
    assert_eq!(space.spec(), &spec);
    assert_eq!(
        space.count(),
        SearchSpace::new(spec.clone()).unwrap().count()
    );
    let relu = text.parse(FfnKind::ReluSquared).unwrap();
    assert_eq!(relu.spec().ffn_kind, FfnKind::ReluSquared);
}

#[test]
fn a_bad_space_list_is_named_with_its_item() {
    let bad = |edit: fn(&mut SearchSpaceText)| {
        let mut t = SearchSpaceText::from_spec(&SearchSpaceSpec::default());
        edit(&mut t);
        t.parse(FfnKind::SwiGlu).unwrap_err().to_string()
    };
    assert_eq!(
        bad(|t| t.layers = "4, x".into()),
        "layers, item 2: expected a whole number, found \"x\""
    );
    assert_eq!(
        bad(|t| t.hidden = "".into()),
        "hidden sizes, item 1: the list is empty"
    );
    assert_eq!(
        bad(|t| t.kv_heads = "".into()),
        "kv_heads: give at least one value"
    );
    assert_eq!(
        bad(|t| t.attention = "full, full".into()),
        "attention: full is listed twice"
    );
}
