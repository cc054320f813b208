//! The password and passcode rules of the identity account (seeds): a password of 8 to 20
//! characters with at least one digit, one upper-case letter, one lower-case letter and one
//! special character; a passcode of exactly 6 digits 0–9.

/// What is wrong with a proposed password. Several can hold at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Fewer than 8 or more than 20 characters.
    Length,
    /// No digit 0–9.
    NoDigit,
    /// No upper-case letter.
    NoUpper,
    /// No lower-case letter.
    NoLower,
    /// No special character (anything that is not a letter, a digit or a space).
    NoSpecial,
    /// A control character (a newline, a tab, ...), which a prompt could not reproduce.
    ControlCharacter,
}

impl PasswordProblem {
    /// A stable code (`length`, `no-digit`, ...).
    pub fn code(self) -> &'static str {
        match self {
            PasswordProblem::Length => "length",
            PasswordProblem::NoDigit => "no-digit",
            PasswordProblem::NoUpper => "no-upper",
            PasswordProblem::NoLower => "no-lower",
            PasswordProblem::NoSpecial => "no-special",
            PasswordProblem::ControlCharacter => "control-character",
        }
    }
}

/// Shortest and longest password, in characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=20;
/// Digits in a passcode.
pub const PASSCODE_DIGITS: usize = 6;

/// Every rule a proposed password breaks; empty when it is acceptable.
pub fn check_password(password: &str) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    if !PASSWORD_CHARS.contains(&password.chars().count()) {
        problems.push(PasswordProblem::Length);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push(PasswordProblem::NoDigit);
    }
    if !password.chars().any(char::is_uppercase) {
        problems.push(PasswordProblem::NoUpper);
    }
    if !password.chars().any(char::is_lowercase) {
        problems.push(PasswordProblem::NoLower);
    }
    if !password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control())
    {
        problems.push(PasswordProblem::NoSpecial);
    }
    if password.chars().any(char::is_control) {
        problems.push(PasswordProblem::ControlCharacter);
    }
    problems
}

/// Whether a passcode is exactly six ASCII digits.
pub fn passcode_ok(passcode: &str) -> bool {
    passcode.len() == PASSCODE_DIGITS && passcode.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_passwords_that_follow_every_rule() {
        for p in [
            "Ví-giấy-tờ-2026",
            "Abcdef1!",
            "Mật#Khẩu9",
            "Ab1!Ab1!Ab1!Ab1!Ab1!",
        ] {
            assert_eq!(check_password(p), vec![], "{p}");
        }
    }

    #[test]
    fn names_each_broken_rule() {
        use PasswordProblem::*;
        assert_eq!(check_password("Ab1!"), vec![Length]);
        assert_eq!(check_password("Ab1!Ab1!Ab1!Ab1!Ab1!x"), vec![Length]);
        assert_eq!(check_password("Abcdefg!"), vec![NoDigit]);
        assert_eq!(check_password("abcdef1!"), vec![NoUpper]);
        assert_eq!(check_password("ABCDEF1!"), vec![NoLower]);
        assert_eq!(check_password("Abcdef12"), vec![NoSpecial]);
        assert_eq!(check_password("Abc def12"), vec![NoSpecial]);
        assert_eq!(check_password("Abc\tdef1!"), vec![ControlCharacter]);
        assert_eq!(
            check_password(""),
            vec![Length, NoDigit, NoUpper, NoLower, NoSpecial]
        );
    }

    #[test]
    fn passcode_is_six_digits() {
        assert!(passcode_ok("012345"));
        for bad in ["12345", "1234567", "12345a", "١٢٣٤٥٦", "      "] {
            assert!(!passcode_ok(bad), "{bad}");
        }
    }
}
