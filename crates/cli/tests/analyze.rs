//! `earshot analyze` as a script would use it: lines in, one JSON object per line out, in order.

use std::io::Write;
use std::process::{Command, Stdio};

fn analyze(input: &[u8]) -> Vec<serde_json::Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .arg("analyze")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Written from another thread: the output is read while the input is still going in.
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn each_line_gets_its_analysis_in_order() {
    let out = analyze(
        "Still waiting for my refund, terrible service\nLove the new menu!\nIs the shop open on Sunday?\n".as_bytes(),
    );
    assert_eq!(out.len(), 3);
    assert_eq!(out[0]["sentiment"], "negative");
    assert_eq!(out[0]["intents"], serde_json::json!(["complaint"]));
    assert!(out[0]["compound"].as_f64().unwrap() < -0.4);
    assert!(out[0]["urgency"].as_f64().unwrap() >= 0.5);
    assert_eq!(out[0]["lang"], "en");
    assert_eq!(out[1]["sentiment"], "positive");
    assert!(out[2]["intents"].as_array().unwrap().contains(&"question".into()));
}

#[test]
fn bad_bytes_and_empty_lines_cost_one_line_each_not_the_run() {
    let out = analyze(b"good\n\xff\xfe broken bytes\n\nbad\r\n");
    assert_eq!(out.len(), 4);
    assert_eq!(out[2]["sentiment"], "neutral");
    assert_eq!(out[3]["sentiment"], "negative", "a Windows line ending is not part of the text");
}

#[test]
fn more_lines_than_one_block_keep_their_order() {
    let input: String = (0..40_000).map(|n| if n % 2 == 0 { "great\n" } else { "awful\n" }).collect();
    let out = analyze(input.as_bytes());
    assert_eq!(out.len(), 40_000);
    assert!(out.iter().enumerate().all(|(n, v)| v["sentiment"] == if n % 2 == 0 { "positive" } else { "negative" }));
}

#[test]
fn the_evaluation_reports_the_model_beside_the_lexicon_rules() {
    let set =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/analysis/labelled-mentions.tsv");
    let out = Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(["analyze", "--json", "--evaluate"])
        .arg(&set)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let eval: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (model, rules) = (&eval["model"], &eval["lexicon_rules"]);
    assert!(model["rated"].as_u64().unwrap() >= 100);
    // Floors that catch a broken model or lexicon, well below the measured figures (BENCHMARKS.md).
    assert!(model["accuracy"].as_f64().unwrap() > 0.8, "{eval}");
    assert!(model["pearson"].as_f64().unwrap() > 0.8, "{eval}");
    assert!(model["any_match"].as_f64().unwrap() > 0.8, "{eval}");
    assert!(rules["accuracy"].as_f64().unwrap() > 0.75, "{eval}");
    // The model reads this set at least as well as the rules it replaced.
    assert!(model["macro_f1"].as_f64() >= rules["macro_f1"].as_f64(), "{eval}");
}

#[test]
fn a_malformed_labelled_file_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("set.tsv");
    std::fs::write(&file, "positive\tpraise\tgood\nhappy\tpraise\tgreat\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_earshot")).args(["analyze", "--evaluate"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2") && err.contains("happy"), "{err}");
}
