//! What of a Rust source file is code that runs outside tests: comments and string and char
//! literals are blanked, so that a path named in a doc comment or a message is not taken for
//! an import, and so are the items under `#[cfg(test)]`, whose imports only the tests make.
//!
//! Blanking replaces each character with a space and keeps newlines, so what is left keeps
//! its shape.

/// `text` with its comments and its string, byte-string, raw-string and char literals blanked.
pub fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match comment_or_literal_end(&chars, i) {
            Some(end) => {
                out.extend(chars[i..end].iter().map(|&c| blank(c)));
                i = end;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// Code as [`code_only`] returns it, with every item under `#[cfg(test)]` blanked; also the
/// names of the modules declared there as files of their own (`#[cfg(test)] mod fixtures;`),
/// which hold nothing but test code either.
pub fn without_test_items(code: &str) -> (String, Vec<String>) {
    let mut chars: Vec<char> = code.chars().collect();
    let mut test_modules = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(attribute_end) = cfg_test_attribute_end(&chars, i) else {
            i += 1;
            continue;
        };
        let item_start = after_attributes(&chars, attribute_end);
        let item_end = item_end(&chars, item_start);
        if let Some(name) = file_module_name(&chars[item_start..item_end]) {
            test_modules.push(name);
        }
        for c in &mut chars[i..item_end] {
            *c = blank(*c);
        }
        i = item_end;
    }
    (chars.into_iter().collect(), test_modules)
}

fn blank(c: char) -> char {
    if c == '\n' { '\n' } else { ' ' }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Where the comment or literal that starts at `i` ends (exclusive), if one starts there.
fn comment_or_literal_end(c: &[char], i: usize) -> Option<usize> {
    let at = |k: usize| c.get(k).copied();
    match (c[i], at(i + 1)) {
        ('/', Some('/')) => Some(line_end(c, i)),
        ('/', Some('*')) => Some(block_comment_end(c, i)),
        ('"', _) => Some(quoted_end(c, i + 1, '"')),
        ('\'', _) => char_literal_end(c, i),
        ('b' | 'c' | 'r', _) if i == 0 || !is_ident_char(c[i - 1]) => prefixed_literal_end(c, i),
        _ => None,
    }
}

fn line_end(c: &[char], i: usize) -> usize {
    c[i..]
        .iter()
        .position(|&x| x == '\n')
        .map_or(c.len(), |p| i + p)
}

/// Block comments nest in Rust.
fn block_comment_end(c: &[char], i: usize) -> usize {
    let (mut depth, mut j) = (0, i);
    while j < c.len() {
        match (c[j], c.get(j + 1)) {
            ('/', Some('*')) => (depth, j) = (depth + 1, j + 2),
            ('*', Some('/')) => {
                (depth, j) = (depth - 1, j + 2);
                if depth == 0 {
                    return j;
                }
            }
            _ => j += 1,
        }
    }
    c.len()
}

/// The end of a literal whose body starts at `j` and runs to an unescaped `close`.
fn quoted_end(c: &[char], mut j: usize, close: char) -> usize {
    while j < c.len() {
        match c[j] {
            '\\' => j += 2,
            x if x == close => return j + 1,
            _ => j += 1,
        }
    }
    c.len()
}

/// `'a'` and `'\n'` are char literals; `'a` alone is a lifetime or a label, which is code.
fn char_literal_end(c: &[char], i: usize) -> Option<usize> {
    match (c.get(i + 1), c.get(i + 2)) {
        (Some('\\'), _) => Some(quoted_end(c, i + 1, '\'')),
        (Some(_), Some('\'')) => Some(i + 3),
        _ => None,
    }
}

/// `b"…"`, `b'…'`, `c"…"` and the raw `r"…"`, `r#"…"#`, `br#"…"#`, `cr#"…"#`; `None` for an
/// identifier that merely starts with one of those letters (`r#type` included).
fn prefixed_literal_end(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(c[j], 'b' | 'c') {
        j += 1;
        match c.get(j) {
            Some('"') => return Some(quoted_end(c, j + 1, '"')),
            Some('\'') if c[i] == 'b' => return char_literal_end(c, j),
            _ => {}
        }
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = c[j..].iter().take_while(|&&x| x == '#').count();
    j += hashes;
    if c.get(j) != Some(&'"') {
        return None;
    }
    let closing: Vec<char> = std::iter::once('"')
        .chain(std::iter::repeat_n('#', hashes))
        .collect();
    let body = j + 1;
    Some(
        (body..c.len())
            .find(|&k| c[k..].starts_with(&closing))
            .map_or(c.len(), |k| k + closing.len()),
    )
}

/// The end of `#[cfg(test)]` (spaces allowed between its tokens) when it starts at `i`.
fn cfg_test_attribute_end(c: &[char], i: usize) -> Option<usize> {
    if c[i] != '#' {
        return None;
    }
    let mut j = i;
    for token in ["#", "[", "cfg", "(", "test", ")", "]"] {
        while c.get(j).is_some_and(|x| x.is_whitespace()) {
            j += 1;
        }
        let word: Vec<char> = token.chars().collect();
        if !c[j..].starts_with(&word) {
            return None;
        }
        j += word.len();
        let is_word = word[0].is_alphabetic();
        if is_word && c.get(j).copied().is_some_and(is_ident_char) {
            return None;
        }
    }
    Some(j)
}

/// Past the whitespace and any further `#[…]` attributes from `i`.
fn after_attributes(c: &[char], mut i: usize) -> usize {
    loop {
        while c.get(i).is_some_and(|x| x.is_whitespace()) {
            i += 1;
        }
        if c.get(i) != Some(&'#') {
            return i;
        }
        let Some(open) = (i + 1..c.len()).find(|&k| !c[k].is_whitespace()) else {
            return c.len();
        };
        if c[open] != '[' {
            return i;
        }
        i = balanced_end(c, open);
    }
}

/// The end of the item starting at `i`: its `;` or the `}` closing its body, whichever comes
/// first outside brackets.
fn item_end(c: &[char], i: usize) -> usize {
    let mut depth = 0usize;
    for (k, &x) in c.iter().enumerate().skip(i) {
        match x {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return k + 1;
                }
            }
            ';' if depth == 0 => return k + 1,
            _ => {}
        }
    }
    c.len()
}

/// The end of the bracketed group opening at `open`.
fn balanced_end(c: &[char], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, &x) in c.iter().enumerate().skip(open) {
        match x {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    c.len()
}

/// `name` when `item` is `[pub[(…)]] mod name;`.
fn file_module_name(item: &[char]) -> Option<String> {
    let text: String = item.iter().collect();
    let text = text.trim().strip_suffix(';')?;
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [.., "mod", name] if words[0] == "mod" || words[0].starts_with("pub") => {
            Some(name.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words `code_only` keeps, after checking it kept every character's place.
    fn kept_words(text: &str) -> Vec<String> {
        let code = code_only(text);
        assert_eq!(code.chars().count(), text.chars().count());
        assert_eq!(code.lines().count(), text.lines().count());
        code.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn comments_and_literals_are_blanked_and_lines_kept() {
        let text = "a // crate::x\n/* outer /* crate::y */ still */ b\n\"crate::z \\\" q\" c";
        assert_eq!(kept_words(text), ["a", "b", "c"]);
    }

    #[test]
    fn raw_byte_and_c_strings_are_blanked() {
        let text = r####"f(r#"a " crate::x"#, br"crate::y", b"\"", c"z", r##"#"##) g"####;
        assert_eq!(kept_words(text), ["f(", ",", ",", ",", ",", ")", "g"]);
    }

    #[test]
    fn char_literals_are_blanked_but_lifetimes_are_code() {
        assert_eq!(kept_words("'\"' x '\\'' y b'\"' z"), ["x", "y", "z"]);
        assert_eq!(
            kept_words("fn f<'a>(s: &'a str, c: '排')"),
            ["fn", "f<'a>(s:", "&'a", "str,", "c:", ")"]
        );
    }

    #[test]
    fn identifiers_starting_with_literal_prefixes_are_code() {
        assert_eq!(
            kept_words("let r#type = bar(\"s\"); crate::r#ref"),
            ["let", "r#type", "=", "bar(", ");", "crate::r#ref"]
        );
    }

    #[test]
    fn test_items_are_blanked_and_test_modules_in_files_named() {
        let code = "use crate::a;\n#[cfg(test)]\nmod tests {\n    use crate::b;\n}\n\
                    # [ cfg ( test ) ] #[allow(unused)] use crate::c;\n\
                    #[cfg(test)]\npub(crate) mod fixtures;\n\
                    #[cfg(testing)] use crate::d;\nuse crate::e;";
        let (kept, test_modules) = without_test_items(code);
        assert!(kept.contains("crate::a") && kept.contains("crate::e"));
        assert!(kept.contains("crate::d"), "only cfg(test) is a test item");
        assert!(!kept.contains("crate::b") && !kept.contains("crate::c"));
        assert!(!kept.contains("fixtures"));
        assert_eq!(kept.lines().count(), code.lines().count());
        assert_eq!(test_modules, ["fixtures"]);
    }

    #[test]
    fn a_test_item_ends_at_its_body_not_at_a_semicolon_inside_it() {
        let code = "#[cfg(test)]\nfn f() -> [u8; 2] { let x = 1; [x, x] }\nuse crate::kept;";
        let (kept, _) = without_test_items(code);
        assert_eq!(kept.trim(), "use crate::kept;");
    }
}
