//! Loss CSV import: recognition, derived features, row issues and every whole-file error,
//! messages compared word for word.

use roofscale::model::law::Variable;
use roofscale::model::loss_csv::{
    parse_loss_csv, ColumnMapping, ColumnRole, RowIssue, Split, MAX_BYTES, MAX_ROWS,
};

fn err(text: &str) -> String {
    parse_loss_csv("losses.csv", text, None)
        .unwrap_err()
        .to_string()
}

#[test]
fn recognises_aliases_and_derives_r_rho_and_d_m() {
    let text =
        "num_hidden_layers,d_model,intermediate_size,Heads,n_kv,num_experts,top_k,Val Loss,lr\n\
                16,1536,3072,12,4,8,2,3.1,0.001\n";
    let t = parse_loss_csv("losses.csv", text, None).unwrap();
    assert_eq!(t.delimiter, ',');
    assert_eq!(t.unrecognised, ["lr"]);
    assert_eq!(t.issues, []);
    let row = &t.rows[0];
    assert_eq!(row.line, 2);
    assert_eq!(row.loss, 3.1);
    assert_eq!(row.feature(Variable::Layers), Some(16.0));
    assert_eq!(row.feature(Variable::FfnRatio), Some(2.0));
    assert_eq!(row.feature(Variable::Rho), Some(0.25));
    assert_eq!(row.feature(Variable::KvWidth), Some(4.0 * 128.0));
    assert_eq!(row.feature(Variable::Params), None);
    assert_eq!(
        t.available,
        [
            Variable::Layers,
            Variable::Hidden,
            Variable::FfnRatio,
            Variable::Rho,
            Variable::KvWidth
        ]
    );
    assert_eq!(
        t.notes,
        [
            "r = intermediate_size / d_model",
            "ρ = top_k / num_experts",
            "d_m = n_kv × (d_model / Heads)"
        ]
    );
    assert_eq!(t.values("lr"), Some(vec![Some(0.001)]));
    assert_eq!(t.values("rho"), Some(vec![Some(0.25)]));
    assert_eq!(t.values("N"), None);
    assert_eq!(
        t.variable_names(),
        [
            "l",
            "d",
            "r",
            "rho",
            "d_m",
            "num_hidden_layers",
            "d_model",
            "intermediate_size",
            "Heads",
            "n_kv",
            "num_experts",
            "top_k",
            "lr"
        ]
    );
}

#[test]
fn single_letter_symbols_are_case_sensitive() {
    let t = parse_loss_csv("s.csv", "N,D,loss\n1e9,2e10,2.5\n", None).unwrap();
    assert_eq!(
        t.roles,
        [
            Some(ColumnRole::Params),
            Some(ColumnRole::Tokens),
            Some(ColumnRole::Loss)
        ]
    );
    let t = parse_loss_csv("s.csv", "l,d,r,loss\n4,768,1,2.5\n", None).unwrap();
    assert_eq!(
        t.roles[..3],
        [
            Some(ColumnRole::Layers),
            Some(ColumnRole::Hidden),
            Some(ColumnRole::FfnRatio)
        ]
    );
    assert_eq!(
        t.notes,
        [
            "ρ = 1 for every row (no experts columns: dense models)",
            "d_m = d (no head columns: multi-head attention assumed)"
        ]
    );
    assert_eq!(t.rows[0].feature(Variable::KvWidth), Some(768.0));
}

#[test]
fn semicolons_tabs_quotes_bom_comments_and_blank_lines() {
    let text = "\u{feff}# a comment\nlayers;hidden_size;ffn_ratio;loss;split;note\n\n4;768;1;\"3,5\";train;\"two\nlines\"\n# another\n8;1024;2;3.25;test;x\n";
    let t = parse_loss_csv("s.csv", text, None).unwrap();
    assert_eq!(t.delimiter, ';');
    assert_eq!(t.issues.len(), 1);
    assert_eq!(
        t.issues[0].to_string(),
        "line 4, column \"loss\": expected a number, found \"3,5\""
    );
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].line, 7);
    assert_eq!(t.rows[0].split, Some(Split::Test));
    let tabs = "layers\thidden_size\tffn_ratio\tloss\n4\t768\t1\t3.5\n";
    let t = parse_loss_csv("s.tsv", tabs, None).unwrap();
    assert_eq!((t.delimiter, t.rows[0].loss), ('\t', 3.5));
}

#[test]
fn bad_rows_are_listed_with_line_and_column_and_left_out() {
    let text = "layers,hidden_size,loss,experts,top_k,split\n\
                4,768,3.5,8,1,train\n\
                4,768,abc,8,1,train\n\
                4,,3.5,8,1,train\n\
                0,768,3.5,8,1,train\n\
                4,768,inf,8,1,train\n\
                4,768,3.5,8,16,train\n\
                4,768,3.5,8,1,later\n\
                4,768,3.5\n";
    let t = parse_loss_csv("losses.csv", text, None).unwrap();
    assert_eq!(t.rows.len(), 1);
    let msgs: Vec<String> = t.issues.iter().map(|i| i.in_file("losses.csv")).collect();
    assert_eq!(
        msgs,
        [
            "losses.csv line 3, column \"loss\": expected a number, found \"abc\"",
            "losses.csv line 4, column \"hidden_size\": missing value",
            "losses.csv line 5, column \"layers\": expected a positive number, found \"0\"",
            "losses.csv line 6, column \"loss\": expected a finite number, found \"inf\"",
            "losses.csv line 7, column \"top_k\": 16 active experts exceed the 8 experts",
            "losses.csv line 8, column \"split\": expected train, test, val or heldout, found \"later\"",
            "losses.csv line 9: expected 6 fields, found 3",
        ]
    );
    assert_eq!(
        t.issues[0],
        RowIssue {
            line: 3,
            column: Some("loss".into()),
            message: "expected a number, found \"abc\"".into()
        }
    );
}

#[test]
fn a_mapping_assigns_roles_and_ignores_columns() {
    let text = "depth,width,ratio,y,loss\n4,768,1,3.5,9\n";
    let t = parse_loss_csv("m.csv", text, None).unwrap();
    assert_eq!(t.unrecognised, ["depth", "width", "ratio", "y"]);
    let mapping = ColumnMapping::default()
        .with("depth", Some(ColumnRole::Layers))
        .with("width", Some(ColumnRole::Hidden))
        .with("ratio", Some(ColumnRole::FfnRatio))
        .with("y", Some(ColumnRole::Loss))
        .with("loss", None);
    let t = parse_loss_csv("m.csv", text, Some(&mapping)).unwrap();
    assert_eq!(t.unrecognised, Vec::<String>::new());
    assert_eq!(t.rows[0].loss, 3.5);
    assert_eq!(t.values("loss"), Some(vec![Some(9.0)]));
    assert_eq!(t.rows[0].feature(Variable::Hidden), Some(768.0));
}

#[test]
fn whole_file_errors_name_the_file() {
    assert_eq!(
        err(""),
        "losses.csv: no header line (the file is empty or only comments)"
    );
    assert_eq!(
        err("# only a comment\n\n"),
        "losses.csv: no header line (the file is empty or only comments)"
    );
    assert_eq!(
        err("a,b,c\n1,2,3\n"),
        "losses.csv: no column recognised as loss (found: a, b, c)"
    );
    assert_eq!(
        err("layers,loss\n"),
        "losses.csv: no data rows below the header"
    );
    assert_eq!(
        err("loss,x,x\n1,2,3\n"),
        "losses.csv: column \"x\" appears twice; rename one"
    );
    assert_eq!(
        err("loss,val_loss\n1,2\n"),
        "losses.csv: columns \"loss\" and \"val_loss\" are both recognised as loss; map one of them to another role"
    );
    assert_eq!(
        err("layers,loss\n4,abc\n4,\n"),
        "losses.csv line 2, column \"loss\": expected a number, found \"abc\" (no usable rows: all 2 rows have problems)"
    );
    let mapping = ColumnMapping::default().with("los", Some(ColumnRole::Loss));
    assert_eq!(
        parse_loss_csv("losses.csv", "a,b\n1,2\n", Some(&mapping))
            .unwrap_err()
            .to_string(),
        "losses.csv: the column mapping names \"los\", which is not a column (found: a, b)"
    );
}

#[test]
fn size_limits() {
    let big = "loss\n".to_string() + &"1\n".repeat(MAX_BYTES / 2 + 1);
    assert_eq!(
        err(&big),
        "losses.csv: the file is 20.0 MB; the limit is 20 MB"
    );
    let many = "loss\n".to_string() + &"1\n".repeat(MAX_ROWS + 1);
    assert_eq!(
        err(&many),
        "losses.csv: more than 200000 data rows; the limit is 200000"
    );
    let ok = "loss\n".to_string() + &"1\n".repeat(MAX_ROWS);
    assert_eq!(
        parse_loss_csv("losses.csv", &ok, None).unwrap().rows.len(),
        MAX_ROWS
    );
}

#[test]
fn experts_without_top_k_leave_rho_unavailable() {
    let t = parse_loss_csv("e.csv", "experts,loss\n8,3\n", None).unwrap();
    assert!(!t.available.contains(&Variable::Rho));
    assert_eq!(
        t.notes[1],
        "ρ is not available: \"experts\" gives experts but no column gives active experts (top_k)"
    );
}
