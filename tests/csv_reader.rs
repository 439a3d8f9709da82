//! The shared CSV front end of every import: limits, BOM, delimiters, comments, line numbers,
//! headers, quoted fields, and one message style, compared word for word.

use roofscale::model::csv_reader::{
    normalise_header, number, positive_number, CsvError, CsvErrorKind, CsvLimits, CsvReader,
    CsvRows, RowIssue,
};
use std::convert::Infallible;

const LIMITS: CsvLimits = CsvLimits {
    max_bytes: 1000,
    max_rows: 3,
};

/// Good rows as their line and cells.
type Rows = CsvRows<(usize, Vec<String>)>;

/// Reads `text`: the delimiter, the headers and the rows; a row whose first cell is "bad" has
/// an issue.
fn read(text: &str) -> Result<(char, Vec<String>, Rows), String> {
    let reader = CsvReader::<Infallible>::open("f.csv", text, LIMITS).map_err(|e| e.to_string())?;
    let (delimiter, headers) = (reader.delimiter(), reader.headers().to_vec());
    let rows = reader
        .rows(|row| {
            if row.cell(0) == "bad" {
                return Err(RowIssue {
                    line: row.line,
                    column: Some("a".into()),
                    message: "is bad".into(),
                });
            }
            Ok((row.line, row.cells().map(str::to_string).collect()))
        })
        .map_err(|e| e.to_string())?;
    Ok((delimiter, headers, rows))
}

fn err(text: &str) -> String {
    read(text).unwrap_err()
}

#[test]
fn detects_comma_semicolon_and_tab() {
    for (text, delimiter) in [
        ("a,b\n1,2\n", ','),
        ("a;b\n1;2\n", ';'),
        ("a\tb\n1\t2\n", '\t'),
        // Decimal commas inside quotes do not count.
        ("\"x,y\";b\n\"1,5\";2\n", ';'),
    ] {
        let (d, headers, rows) = read(text).unwrap();
        assert_eq!(d, delimiter, "{text:?}");
        assert_eq!(headers.len(), 2);
        assert_eq!(rows.good[0].1.len(), 2);
    }
}

#[test]
fn drops_a_bom_and_trims_headers_and_cells() {
    let (_, headers, rows) = read("\u{feff} a , b\n 1 ,\" 2 \"\n").unwrap();
    assert_eq!(headers, ["a", "b"]);
    assert_eq!(rows.good, [(2, vec!["1".to_string(), "2".to_string()])]);
}

#[test]
fn lines_count_the_header_comments_blank_lines_and_quoted_line_breaks() {
    let text = "# units\n\na,b\n1,\"two\nlines\"\n# between\n\n3,4\r\n5,6\r7,8\n";
    let more = CsvLimits {
        max_rows: 10,
        ..LIMITS
    };
    let reader = CsvReader::<Infallible>::open("f.csv", text, more).unwrap();
    assert_eq!(reader.header_line(), 3);
    let all = reader.rows(|row| Ok(row.line)).unwrap();
    assert_eq!(all.good, [4, 8, 9, 10]);
}

#[test]
fn quoted_fields_keep_delimiters_quotes_and_line_breaks() {
    let (_, _, rows) = read("a,b\n\"1,5\",\"say \"\"hi\"\"\nthere\"\n").unwrap();
    assert_eq!(
        rows.good[0].1,
        ["1,5".to_string(), "say \"hi\"\nthere".to_string()]
    );
}

#[test]
fn a_row_of_another_width_or_with_a_problem_is_left_out_with_its_line() {
    let (_, _, rows) = read("a,b\n1,2\n\n1,2,3\nbad,2\n").unwrap();
    assert_eq!(rows.good.len(), 1);
    let shown: Vec<String> = rows.issues.iter().map(|i| i.in_file("f.csv")).collect();
    assert_eq!(
        shown,
        [
            "f.csv line 4: expected 2 fields, found 3",
            "f.csv line 5, column \"a\": is bad"
        ]
    );
}

#[test]
fn whole_file_errors_in_one_style() {
    assert_eq!(
        err(""),
        "f.csv: no header line (the file is empty or only comments)"
    );
    assert_eq!(
        err("# c\n\n , \n"),
        "f.csv: no header line (the file is empty or only comments)"
    );
    assert_eq!(err("a,b\n# c\n\n"), "f.csv: no data rows below the header");
    assert_eq!(
        err("a,b,a\n1,2,3\n"),
        "f.csv: column \"a\" appears twice; rename one"
    );
    assert_eq!(
        err("a,b\nbad,1\n1\n"),
        "f.csv line 2, column \"a\": is bad (no usable rows: all 2 rows have problems)"
    );
    assert_eq!(
        err(&format!("a\n{}", "1\n".repeat(4))),
        "f.csv: more than 3 data rows; the limit is 3"
    );
    assert_eq!(
        read(&format!("a\n{}", "1\n".repeat(3)))
            .unwrap()
            .2
            .good
            .len(),
        3
    );
    let mb = CsvLimits {
        max_bytes: 1024 * 1024,
        ..LIMITS
    };
    let big = "a\n".to_string() + &"1\n".repeat(786_431);
    let e: CsvError<Infallible> = CsvReader::open("f.csv", &big, mb).err().unwrap();
    assert_eq!(
        e.kind,
        CsvErrorKind::TooLarge {
            bytes: 1_572_864,
            limit: 1_048_576
        }
    );
    assert_eq!(
        e.to_string(),
        "f.csv: the file is 1.5 MB; the limit is 1 MB"
    );
}

#[test]
fn headers_read_one_way() {
    for (header, read) in [
        ("Val Loss", "val_loss"),
        (" num-heads ", "num_heads"),
        ("Prefill (ms)", "prefill_ms"),
        ("decode tok/s", "decode_tok_s"),
        ("hidden__size", "hidden_size"),
        ("N", "n"),
        ("(ms)", "ms"),
        ("#", ""),
    ] {
        assert_eq!(normalise_header(header), read, "{header}");
    }
}

#[test]
fn numbers_are_worded_the_same_everywhere() {
    assert_eq!(number(" 1e3 "), Ok(1000.0));
    assert_eq!(number("-2"), Ok(-2.0));
    assert_eq!(
        number("abc"),
        Err("expected a number, found \"abc\"".to_string())
    );
    for cell in ["inf", "NaN", "1e400"] {
        assert_eq!(
            number(cell),
            Err(format!("expected a finite number, found \"{cell}\""))
        );
    }
    assert_eq!(positive_number("2.5"), Ok(2.5));
    assert_eq!(
        positive_number("0"),
        Err("expected a positive number, found \"0\"".to_string())
    );
}
