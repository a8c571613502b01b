//! A generated checklist of N items, for the benchmarks that build inspections
//! (`import_bench`, `archive_bench`).

use paicha_core::Checklist;

/// A valid checklist with `items` items `b-000`, `b-001`, ….
pub fn checklist(items: usize) -> Checklist {
    let mut toml = String::from(
        "id = \"bench\"\nsector = \"fireworks\"\nversion = \"1\"\neffective = \"2026-01-01\"\n\
         title = { zh = \"基准\", en = \"Bench\" }\n\
         [[sources]]\nkey = \"law\"\ntitle = \"安全生产法\"\nstatus = \"in_force\"\n\
         [[sections]]\nid = \"s\"\ntitle = { zh = \"节\", en = \"Section\" }\n",
    );
    for i in 0..items {
        toml.push_str(&format!(
            "[[sections.items]]\nid = \"b-{i:03}\"\nzh = \"检查项{i}\"\nen = \"Item {i}\"\n\
             basis = {{ source = \"law\", clause = \"第{i}条\" }}\nmajor = false\n\
             verification = \"paraphrase\"\n"
        ));
    }
    Checklist::from_toml("bench.toml", &toml).expect("the generated checklist is valid")
}
