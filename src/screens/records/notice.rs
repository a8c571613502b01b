//! 责令限期整改指令书: the hazards found and the order for each.

use super::*;
use crate::model::records::{RecordRow, dash, date_zh, hazard_rows};
use paicha_core::Verdict;

#[component]
pub fn NoticeScreen(id: Uuid) -> impl IntoView {
    let Some((inspection, checklist)) = load(id) else {
        return not_found();
    };
    if !inspection.is_sealed() {
        return view! {
            <section class="card">
                <h2>{t("责令限期整改指令书", "Rectification notice")}</h2>
                <p role="alert" class="error">
                    {t("检查尚未签章封存，完成检查并签章后才能出具整改指令书。",
                       "The inspection is not sealed yet: seal it before issuing a notice.")}
                </p>
                <a class="button" href=Route::Record(id).href()>{t("现场检查记录（草稿）", "Inspection record (draft)")}</a>
                <a class="button" href=Route::Inspection(id).href()>{t("返回检查", "Back to the inspection")}</a>
            </section>
        }
        .into_any();
    }
    let hazards = hazard_rows(&inspection, checklist);
    let majors = hazards
        .iter()
        .filter(|r| {
            r.answer
                .as_ref()
                .is_some_and(|a| a.verdict == Verdict::MajorHazard)
        })
        .count();
    let inspected_on = date_zh(local_date(&inspection.started_at));
    let sealed_at = inspection
        .sealed_at
        .as_ref()
        .map(local_time)
        .unwrap_or_default();
    let any_caveat = checklist.is_some_and(|c| {
        hazards
            .iter()
            .filter_map(|r| r.item)
            .any(|item| !c.basis_caveats(item).is_empty())
    });
    let intro = if hazards.is_empty() {
        format!("{inspected_on}现场检查未发现生产安全事故隐患，无需整改。")
    } else {
        let major_part = if majors > 0 {
            format!("，其中重大隐患 {majors} 项")
        } else {
            String::new()
        };
        format!(
            "经{inspected_on}现场检查，发现你单位存在下列生产安全事故隐患共 {} 项{major_part}。\
             现责令你单位按照各项所列整改措施，在整改期限内完成整改，并将整改情况及时报告检查人员。",
            hazards.len()
        )
    };
    let addressee = format!(
        "{}（统一社会信用代码：{}）：",
        inspection.site.name, inspection.site.credit_code
    );
    let items = hazards
        .iter()
        .enumerate()
        .map(|(n, row)| notice_item(n + 1, row, checklist))
        .collect_view();
    view! {
        {doc_actions(vec![
            (t("现场检查记录", "Inspection record"), Route::Record(id).href()),
            (t("返回", "Back"), Route::Export(id).href()),
        ])}
        <article class="doc notice" aria-labelledby="doc-title">
            {title("责令限期整改指令书".into(), "Order to rectify within a time limit".into())}
            <p class="doc-addressee">{addressee}</p>
            <p class="doc-body">{intro}</p>
            {field_table(site_fields(&inspection.site).into_iter().chain(team_fields(&inspection)).collect())}
            {items}
            {any_caveat.then(|| view! {
                <p class="doc-footnote">
                    "注：判定依据后标注“转述”的，为检查表对有关规定的转述，非法规原文；标注“出处待核实”的，其出处尚未核实。正式引用前请核对原文。"
                </p>
            })}
            {signatures(officer_signatures(&inspection).into_iter().chain([
                ("被检查单位负责人签收：", sign_line(), "日期：____________".into()),
                ("签章时间：", ().into_any(), sealed_at),
            ]).collect())}
            <p class="doc-footnote">
                {format!("本指令书根据现场检查记录生成（记录标识 {id}）。文书编号及印章以执法机关出具的正式文书为准。")}
            </p>
        </article>
    }
    .into_any()
}

fn notice_item(n: usize, row: &RecordRow<'_>, checklist: Option<&Checklist>) -> AnyView {
    let answer = row
        .answer
        .clone()
        .unwrap_or_else(|| unreachable!("hazard rows are answered"));
    let major = answer.verdict == Verdict::MajorHazard;
    let order = answer.rectification.clone().unwrap_or_default();
    let (text, basis) = match (checklist, row.item) {
        (Some(c), Some(item)) => (item.zh.clone(), c.basis_with_caveats(item)),
        _ => ("—".to_string(), "（检查表版本不在本机）".to_string()),
    };
    let heading = format!("{n}. {} {}", row.item_id, answer.verdict.label_zh());
    let label = heading.clone();
    let mut fields: Vec<Field> = vec![
        ("检查内容", "", text),
        ("隐患描述", "", dash(&answer.description)),
        ("隐患部位", "", dash(&answer.location)),
        ("判定依据", "", basis),
        ("整改措施", "", dash(&order.measures)),
        ("整改责任人", "", dash(&order.responsible)),
        ("整改期限", "", dash(&order.deadline)),
    ];
    if !order.funds_yuan.is_empty() {
        fields.push(("预计资金（元）", "", order.funds_yuan.clone()));
    }
    let plan = major.then(|| {
        let plan = answer.major_plan.clone().unwrap_or_default();
        view! {
            <h4>"重大隐患治理方案（五落实） " {gloss("Five measures")}</h4>
            {field_table(vec![
                ("治理目标和任务", "", dash(&plan.target)),
                ("治理机构和人员", "", dash(&plan.organisation)),
                ("安全措施和应急预案", "", dash(&plan.safety_measures)),
                ("经费和物资", "", dash(&plan.funds_materials)),
                ("治理时限", "", dash(&plan.time_limit)),
                ("停产停业", "Suspension", plan.suspension.label_zh().to_string()),
            ])}
        }
        .into_any()
    });
    view! {
        <section class="notice-item" class:notice-major=major aria-label=label>
            <h3>{heading}</h3>
            {field_table(fields)}
            {plan}
        </section>
    }
    .into_any()
}
