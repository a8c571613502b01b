//! A province's devices: Ed25519 keys, inspectors in counties, enterprises they inspect, and
//! the signed bundles their phones would export: one sealed inspection of a real sector
//! checklist per bundle, every applicable item answered, hazards at the rates below with
//! their rectification orders (and a major hazard's plan), a co-inspector, the chain advanced.

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, TimeZone, Utc};
use ed25519_dalek::SigningKey;
use paicha_core::bundle::{BundlePayload, ChainState, DeviceInfo, sign_with};
use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use paicha_core::{
    Checklist, CreditCode, Inspection, InspectionKind, Inspector, Site, SiteDetails, Verdict,
};
use std::path::Path;
use uuid::Uuid;

/// Share of answered items judged a hazard, as the campaigns' own figures roughly go: most
/// items comply; an item the checklist marks `major` is a major hazard now and then.
#[derive(Debug, Clone, Copy)]
pub struct HazardRates {
    /// Per item: 一般隐患.
    pub general: f64,
    /// Per item marked `major = true` in the checklist: 重大隐患.
    pub major: f64,
    /// Per item: 不适用.
    pub not_applicable: f64,
}

impl Default for HazardRates {
    fn default() -> Self {
        Self {
            general: 0.08,
            major: 0.02,
            not_applicable: 0.05,
        }
    }
}

/// The repository's sector checklists (`checklists/*.toml`), validated.
pub fn load_checklists(dir: &Path) -> anyhow::Result<Vec<Checklist>> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("read {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        out.push(Checklist::from_toml(&name, &text).with_context(|| path.display().to_string())?);
    }
    if out.is_empty() {
        bail!("no checklists in {}", dir.display());
    }
    Ok(out)
}

/// A small deterministic generator (SplitMix64): the same seed, the same province.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// One phone: its key, its inspector, its county, its chain.
#[derive(Debug, Clone)]
pub struct Phone {
    pub index: usize,
    pub key: SigningKey,
    pub inspector: Inspector,
    pub co_inspector: Inspector,
    /// Index into the checklists: the sector this inspector sweeps.
    pub checklist: usize,
    /// 行政区划代码 of the county (Hebei: 13xxxx).
    pub county: String,
    chain: ChainState,
    bundles_made: u64,
    /// 0 normally; a clone with another variant signs different bundles at the same sequence
    /// numbers (a phone restored from a backup: forks).
    pub variant: u64,
}

/// One signed bundle, with what reconciliation needs to know about it.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub device: usize,
    pub sequence: u64,
    pub payload_sha256: String,
    pub inspection_id: Uuid,
    pub findings: usize,
    pub envelope: Vec<u8>,
}

impl Phone {
    /// Phone `index` of a fleet: a fixed key derived from the seed and the index.
    pub fn new(seed: u64, index: usize, checklists: usize) -> Self {
        let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut secret = [0u8; 32];
        for chunk in secret.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        // About 170 counties; each has its inspectors.
        let county = format!("13{:02}{:02}", 1 + index % 11, 1 + (index / 11) % 16);
        let cert = |n: usize| format!("1300{:07}", n);
        let organisation = format!("{county}应急管理局");
        Self {
            index,
            key: SigningKey::from_bytes(&secret),
            inspector: Inspector::new(&format!("检查员{index}"), &cert(index * 2))
                .expect("name and number")
                .with_unit(&organisation, &county),
            co_inspector: Inspector::new(&format!("协查员{index}"), &cert(index * 2 + 1))
                .expect("name and number")
                .with_unit(&organisation, &county),
            checklist: index % checklists.max(1),
            county,
            chain: ChainState::default(),
            bundles_made: 0,
            variant: 0,
        }
    }

    pub fn device_info(&self) -> DeviceInfo {
        DeviceInfo::from_public_key(&self.key.verifying_key().to_bytes())
    }

    /// `paicha-ledger keys add` arguments that enrol this phone (explicit key, no bundle).
    pub fn enrol_args(&self) -> Vec<String> {
        let info = self.device_info();
        vec![
            "keys".into(),
            "add".into(),
            "--key-id".into(),
            info.key_id.to_string(),
            "--public-key".into(),
            info.public_key.clone(),
            "--name".into(),
            self.inspector.name.clone(),
            "--cert-no".into(),
            self.inspector.cert_no.clone(),
            "--organisation".into(),
            self.inspector.organisation.clone(),
        ]
    }

    /// Signs the phone's next bundle: one sealed inspection of an enterprise in its county.
    pub fn next_bundle(
        &mut self,
        checklists: &[Checklist],
        rates: HazardRates,
        rng: &mut Rng,
    ) -> Bundle {
        let checklist = &checklists[self.checklist];
        let n = self.bundles_made;
        self.bundles_made += 1;
        let at: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
            + Duration::minutes((self.index as i64 * 7 + n as i64 * 53) % (8 * 60));
        let enterprise = rng.below(100_000);
        let code = CreditCode::with_check_digit(&format!(
            "91{}{:09}",
            self.county,
            enterprise * 97 + self.index % 97
        ))
        .expect("a valid 统一社会信用代码");
        let site = Site::with_details(
            &format!("某某{}有限公司{enterprise}", checklist.sector_name_zh()),
            code,
            SiteDetails {
                address: format!("河北省{}工业路{}号", self.county, enterprise % 500),
                township: format!("第{}镇", enterprise % 12),
                grid: format!("第{}网格", enterprise % 30),
                sectors: vec![checklist.sector.clone()],
                contact_name: "王经理".into(),
                contact_phone: "13800138000".into(),
            },
        )
        .expect("a site");
        let id = Uuid::from_u64_pair(self.index as u64 + 1, (self.variant << 32) | (n + 1));
        let mut inspection = Inspection::start(id, site, checklist, self.inspector.clone(), at);
        inspection
            .set_team(InspectionKind::Routine, vec![self.co_inspector.clone()])
            .expect("a team");
        let all_yes = checklist
            .questions
            .iter()
            .map(|q| (q.key.clone(), true))
            .collect();
        inspection
            .set_applicability(checklist, all_yes)
            .expect("known questions");
        let yes = inspection.applicable_keys();
        let items: Vec<(String, bool)> = checklist
            .applicable_items(&yes)
            .map(|i| (i.id.clone(), i.major))
            .collect();
        let deadline = (at + Duration::days(15)).format("%Y-%m-%d").to_string();
        for (item, major) in &items {
            let roll = rng.unit();
            let verdict = if *major && roll < rates.major {
                Verdict::MajorHazard
            } else if roll < rates.major + rates.general {
                Verdict::GeneralHazard
            } else if roll < rates.major + rates.general + rates.not_applicable {
                Verdict::NotApplicable
            } else {
                Verdict::Compliant
            };
            let description = "现场检查发现该项不符合要求，已责令整改";
            inspection
                .answer(checklist, item, verdict, description, at)
                .expect("an item of the checklist");
            if verdict.is_hazard() {
                let order = RectificationOrder {
                    measures: "立即整改，落实安全防护措施".into(),
                    responsible: "王经理".into(),
                    deadline: deadline.clone(),
                    funds_yuan: "5000".into(),
                };
                let plan = (verdict == Verdict::MajorHazard).then(|| MajorHazardPlan {
                    target: "消除重大事故隐患".into(),
                    organisation: "企业安全管理部门".into(),
                    safety_measures: "停用相关设施，设置警示".into(),
                    funds_materials: "企业安全生产费用".into(),
                    time_limit: deadline.clone(),
                    suspension: Suspension::Partial,
                });
                inspection
                    .set_order(item, "生产车间", order, plan)
                    .expect("a hazard's order");
            }
        }
        inspection
            .seal(checklist, at + Duration::minutes(40))
            .expect("a complete inspection seals");
        let findings = inspection.answers.len();
        let payload = BundlePayload::new(
            Uuid::from_u64_pair(
                0x5ca1e ^ (self.variant << 32),
                ((self.index as u64) << 20) | n,
            ),
            at + Duration::minutes(45),
            "0.1.0-load",
            self.device_info(),
            &self.chain,
            self.inspector.clone(),
            vec![inspection],
        )
        .expect("a payload");
        let bytes = payload.to_bytes();
        self.chain = self.chain.after(&bytes);
        Bundle {
            device: self.index,
            sequence: payload.sequence,
            payload_sha256: paicha_core::sha256_hex(&bytes),
            inspection_id: id,
            findings,
            envelope: sign_with(&self.key, &bytes).to_json().into_bytes(),
        }
    }
}

/// Enrols phones with `paicha-ledger keys add`, `parallel` commands at a time. Every key
/// belongs to an account: the fleet's keys to one inspector account for the province (one
/// `users add`), which is all the load needs (accounts only scope reads).
pub fn enrol_with_cli(
    bin: &Path,
    database_url: &str,
    phones: &[Phone],
    parallel: usize,
) -> anyhow::Result<()> {
    let out = std::process::Command::new(bin)
        .args(["--database-url", database_url])
        .args([
            "users",
            "add",
            "--name",
            "压测检查员",
            "--role",
            "inspector@13",
        ])
        .output()?;
    if !out.status.success() {
        bail!(
            "users add failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let account = stdout
        .lines()
        .find_map(|l| l.strip_prefix("account "))
        .map(|id| id.trim().to_string())
        .ok_or_else(|| anyhow::anyhow!("users add printed no account id: {stdout}"))?;
    let mut args: Vec<Vec<String>> = phones
        .iter()
        .map(|phone| {
            let mut args = phone.enrol_args();
            args.extend(["--account".to_string(), account.clone()]);
            args
        })
        .collect();
    while !args.is_empty() {
        let batch: Vec<_> = args.drain(..parallel.min(args.len())).collect();
        let children: Vec<_> = batch
            .iter()
            .map(|a| {
                std::process::Command::new(bin)
                    .args(["--database-url", database_url])
                    .args(a)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
            })
            .collect::<Result<_, _>>()?;
        for child in children {
            let out = child.wait_with_output()?;
            if !out.status.success() {
                bail!(
                    "keys add failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
    }
    Ok(())
}
