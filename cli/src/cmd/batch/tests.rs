//! Unit tests of `batch`.
use super::*;

/// Regression: a 200 MB line was read whole before its length was checked. A line far
/// longer than the limit now costs no more memory than the limit and one read buffer,
/// and the lines after it are read as usual.
#[test]
fn an_over_long_line_is_skipped_in_bounded_memory() {
    let long = 48usize << 20;
    let input = std::io::repeat(b'x')
        .take(long as u64)
        .chain(&b"\n{\"a\":1}\nlast"[..]);
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, input);
    let mut buf = Vec::new();
    assert_eq!(
        read_line_bounded(&mut reader, &mut buf, MAX_LINE).unwrap(),
        LineRead::TooLong
    );
    assert!(buf.is_empty());
    assert!(
        buf.capacity() <= 2 * MAX_LINE + 64 * 1024,
        "held {} bytes",
        buf.capacity()
    );
    assert_eq!(
        read_line_bounded(&mut reader, &mut buf, MAX_LINE).unwrap(),
        LineRead::Line
    );
    assert_eq!(buf, b"{\"a\":1}");
    assert_eq!(
        read_line_bounded(&mut reader, &mut buf, MAX_LINE).unwrap(),
        LineRead::Line
    );
    assert_eq!(buf, b"last");
    assert_eq!(
        read_line_bounded(&mut reader, &mut buf, MAX_LINE).unwrap(),
        LineRead::End
    );
    // Exactly the limit is a line; one byte more is not.
    for (len, want) in [
        (MAX_LINE, LineRead::Line),
        (MAX_LINE + 1, LineRead::TooLong),
    ] {
        let text = vec![b'y'; len];
        let mut r = &text[..];
        assert_eq!(read_line_bounded(&mut r, &mut buf, MAX_LINE).unwrap(), want);
    }
}

/// Rows are numbered by the file's lines, across blank lines and cells spanning lines
/// (the CSV parser's own position counted from before the blank lines it skipped).
#[test]
fn csv_rows_carry_their_own_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.csv");
    let long = "z".repeat(MAX_LINE + 1);
    std::fs::write(
        &path,
        format!("full_name,id_number\n\n1,2\n\n\n3,4\n\"x\ny\",5\n{long}\n6,7\n8,9"),
    )
    .unwrap();
    let mut seen = Vec::new();
    for_each_row(&path, DocType::Cccd, |row| {
        let problem = row.parsed.err().map(|e| e.kind.code());
        seen.push((row.line, problem == Some("too-long")));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        seen,
        [
            (3, false),
            (6, false),
            (7, false),
            (9, true),
            (10, false),
            (11, false)
        ]
    );
}

/// The CSV parser sees an over-long line as a stand-in line, and its number is kept.
#[test]
fn bounded_lines_blank_out_long_lines_and_keep_numbering() {
    let mut input = b"a,b\n1,2\n".to_vec();
    input.extend(std::iter::repeat_n(b'z', MAX_LINE + 10));
    input.extend_from_slice(b"\n3,4\n");
    let mut lines = BoundedLines::new(&input[..]);
    let mut seen = Vec::new();
    lines.read_to_end(&mut seen).unwrap();
    assert_eq!(seen, b"a,b\n1,2\n,\n3,4\n");
    assert_eq!(lines.cut, [3]);
}
