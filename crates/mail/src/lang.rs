//! Which language to answer in.

use crate::model::Language;

/// `ja` when the text is written in Japanese, else `en`.
///
/// Rule: any kana (hiragana or katakana, full- or half-width), or ideographs making up at
/// least a fifth of the letters. Kana are written only in Japanese and carry its grammar, so
/// one particle is enough even in a report that is mostly logs and URLs. Ideographs alone are
/// weaker evidence (a kanji name in an English signature, Chinese text), hence the share test,
/// which still catches kanji-only lines such as a subject "攻撃予告". A statistical language
/// detector was rejected: the decision has two outcomes and must be explainable to a handler
/// in one sentence.
pub fn detect_language(text: &str) -> Language {
    let mut kana = 0usize;
    let mut ideographs = 0usize;
    let mut letters = 0usize;
    for c in text.chars() {
        match c {
            '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | '\u{FF66}'..='\u{FF9D}' => {
                kana += 1;
            }
            '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' => {
                ideographs += 1;
                letters += 1;
            }
            c if c.is_alphabetic() => letters += 1,
            _ => {}
        }
        if kana >= 1 {
            return Language::Ja;
        }
    }
    if ideographs > 0 && ideographs * 5 >= letters {
        Language::Ja
    } else {
        Language::En
    }
}

#[cfg(test)]
mod tests {
    use super::detect_language;
    use crate::model::Language::{En, Ja};

    #[test]
    fn language_table() {
        let table = [
            ("Scan activity from your network", En),
            (
                "御社ドメイン配下の以下の URL でマルウエアが配布されています",
                Ja,
            ),
            ("ｶﾀｶﾅ only", Ja),
            ("攻撃予告", Ja),
            (
                "Please investigate. Regards, 山田太郎 (Yamada Taro), NOC of the ISP",
                En,
            ),
            ("", En),
            ("hxxp://example[.]jp/ を確認", Ja),
            ("Thanks, the ticket for Yamada-san's ホスト is open", Ja),
            (
                "攻撃 attack report from the national CERT of the country",
                En,
            ),
        ];
        for (text, expected) in table {
            assert_eq!(detect_language(text), expected, "{text}");
        }
    }
}
