//! The legal basis of a checklist item as documents print it: one spelling for the device's
//! records, its hazard-ledger CSV and the ledger's export.

use crate::checklist::{Checklist, Item, SourceStatus, Verification};

/// A clause as a citation reads it: an enumeration label of the source (`五、`, as the 2017
/// fireworks list numbers its items) becomes `第五项`; anything else stays as written.
pub fn clause_text(clause: &str) -> String {
    match clause.strip_suffix('、') {
        Some(n) if !n.is_empty() && n.chars().all(|c| "一二三四五六七八九十百".contains(c)) =>
        {
            format!("第{n}项")
        }
        _ => clause.to_string(),
    }
}

impl Checklist {
    /// The basis an item carries: the source's title in 《》, its document number in （）
    /// when the checklist confirms one, then the clause, e.g.
    /// `《烟花爆竹生产经营单位重大生产安全事故隐患判定标准（试行）》（安监总管三〔2017〕121号）第五项` (clause `五、`).
    /// Nothing is added that the checklist does not hold: an unknown source leaves the clause.
    pub fn basis_text(&self, item: &Item) -> String {
        match self.source(&item.basis.source) {
            Some(source) => {
                let number = source
                    .number
                    .as_ref()
                    .map(|n| format!("（{n}）"))
                    .unwrap_or_default();
                format!(
                    "《{}》{number}{}",
                    source.title,
                    clause_text(&item.basis.clause)
                )
            }
            None => clause_text(&item.basis.clause),
        }
    }

    /// Caveats to print next to an item's basis: a paraphrase is not the official wording, a
    /// fragment is partial or placed by inference, a third-party text is unchecked, an
    /// unobtainable text is not in the checklist at all, a source may be unverified or superseded.
    pub fn basis_caveats(&self, item: &Item) -> Vec<&'static str> {
        let mut out = Vec::new();
        match item.verification {
            Verification::Verbatim => {}
            Verification::Fragment => out.push("条文片段，不完整或出处推定"),
            Verification::Paraphrase => out.push("转述，非法规原文，引用前请核对原文"),
            Verification::Unverified => out.push("文字取自第三方副本，未与正式文本核对"),
            Verification::Unobtainable => out.push("原文未取得，须对照正式文本"),
        }
        match self.source(&item.basis.source).map(|s| s.status) {
            Some(SourceStatus::Unverified) => out.push("出处待核实"),
            Some(SourceStatus::Superseded) => out.push("依据已被替代"),
            Some(SourceStatus::InForce) | None => {}
        }
        out
    }

    /// The basis with each caveat in 〔〕, for a single cell of a table.
    pub fn basis_with_caveats(&self, item: &Item) -> String {
        let mut text = self.basis_text(item);
        for caveat in self.basis_caveats(item) {
            text.push('〔');
            text.push_str(caveat);
            text.push('〕');
        }
        text
    }
}
