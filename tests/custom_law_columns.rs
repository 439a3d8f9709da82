//! A custom law written over a loss file's column names drives the search with the same
//! values as the law written with method.md §1 symbols (issue: a law shown "in use" must be the
//! one the search uses), and one naming a column no candidate has is refused with its name.

use roofscale::model::hf_config::{import_hf_config, reference_presets};
use roofscale::model::law::{CustomLaw, Law, LawInputs, Quantity};
use roofscale::model::loss_csv::parse_loss_csv;
use roofscale::model::params::param_counts;

const CSV: &str =
    "layers,hidden_size,ffn_ratio,num_key_value_heads,head_dim,experts,top_k,params,dropout,loss\n\
    8,768,2,2,128,1,1,1e8,0.1,3.9\n\
    16,1024,3,4,128,8,2,3e8,0.0,3.5\n\
    24,1536,4,4,128,16,1,9e8,0.1,3.2\n";

const VALUES: [f64; 7] = [1.8, 4.0, 0.5, 30.0, 0.3, 0.4, 0.05];

fn qwen_inputs() -> LawInputs {
    let model = import_hf_config(reference_presets()[0].1).unwrap();
    let n = param_counts(&model.arch).total() as f64;
    LawInputs::from_arch(&model.arch, n, 1e10)
}

fn law(formula: &str, columns: &[String]) -> CustomLaw {
    let law = CustomLaw::parse(formula, "L0, a, b, c, g, e, k", columns).unwrap();
    match Law::Custom(law).with_params(&VALUES).unwrap() {
        Law::Custom(c) => c,
        _ => unreachable!(),
    }
}

#[test]
fn custom_law_over_column_names_ranks_like_the_symbol_law() {
    let table = parse_loss_csv("my-losses.csv", CSV, None).unwrap();
    let columns = table.variable_names();
    let by_column = law(
        "L0 + a/layers^b + c/(ffn_ratio^g * hidden_size^e) + k*top_k/experts*num_key_value_heads*head_dim/params^0.1",
        &columns,
    );
    // Unbound, the law can be fitted but not used for the search.
    assert!(!by_column.predicts_architectures());
    let bound = table.bind_law(&by_column).unwrap();
    assert!(bound.predicts_architectures());
    let by_symbol = law("L0 + a/l^b + c/(r^g * d^e) + k*rho*d_m/N^0.1", &columns);
    let x = qwen_inputs();
    let expected = by_symbol.predict(&x);
    assert!(expected.is_finite());
    let got = bound.predict(&x);
    assert!(
        (got - expected).abs() <= 1e-12 * expected.abs(),
        "{got} vs {expected}"
    );
    // And it is not the published law's value (3.4754 for Qwen2.5-0.5B).
    assert!((got - 3.4754).abs() > 0.01, "{got}");
    // The binding survives a session round trip.
    let json = serde_json::to_string(&Law::Custom(bound.clone())).unwrap();
    let back: Law = serde_json::from_str(&json).unwrap();
    assert_eq!(back, Law::Custom(bound.clone()));
    assert_eq!(back.predict(&x), got);
    assert!(bound
        .bindings()
        .iter()
        .any(|b| b.column == "num_key_value_heads" && b.quantity == Quantity::KvHeads));
}

#[test]
fn intermediate_size_column_means_the_active_ffn_width() {
    let csv = "layers,hidden_size,intermediate_size,loss\n8,768,1536,3.9\n16,1024,4096,3.5\n";
    let table = parse_loss_csv("f.csv", csv, None).unwrap();
    let columns = table.variable_names();
    let l = CustomLaw::parse("a*intermediate_size", "a", &columns).unwrap();
    let bound = table.bind_law(&l).unwrap();
    let x = qwen_inputs();
    // Qwen2.5-0.5B: intermediate 4864 (config.json), dense.
    assert!((bound.predict(&x) - 4864.0).abs() < 1e-9);
}

#[test]
fn custom_law_naming_a_column_no_candidate_has_is_refused_with_its_name() {
    let table = parse_loss_csv("my-losses.csv", CSV, None).unwrap();
    let columns = table.variable_names();
    let l = CustomLaw::parse("L0 + a*dropout + b/layers + 0*loss", "L0, a, b", &columns).unwrap();
    let err = table.bind_law(&l).unwrap_err();
    assert_eq!(
        err.to_string(),
        "this law cannot rank candidate architectures: a candidate has no value for \"dropout\" (no role), \"loss\" (loss: a property of the training run). Map the column to a role (layers, hidden_size, ffn_ratio, intermediate_size, heads, kv_heads, head_dim, experts, top_k, params, tokens) in the data table, or write the formula with l, d, r, rho, d_m, N, D"
    );
}
