//! What can be wrong with an inspection, a site or a re-inspection, in Chinese and English: the
//! messages the app shows. Below every other domain module, so that each of them can fail.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectionError {
    /// The field named as "中文 english" (see [`MissingField`]).
    #[error("{}", MissingField(.0))]
    Required(&'static str),
    #[error("检查已签章封存，不能修改 / the inspection is sealed and cannot be changed")]
    Sealed,
    #[error("检查表中没有条目 {0} / the checklist has no item {0}")]
    UnknownItem(String),
    #[error("尚未记录任何检查结果 / no item has been answered yet")]
    NothingAnswered,
    #[error("以下隐患缺少描述：{} / hazards without a description: {}", .0.join("、"), .0.join(", "))]
    HazardsWithoutDescription(Vec<String>),
    #[error("以下隐患的交办信息不完整：{} / incomplete hazard orders: {}", .0.join("；"), .0.join("; "))]
    IncompleteOrders(Vec<String>),
    #[error("条目 {0} 不是隐患，不能交办整改 / item {0} is not a hazard")]
    NotAHazard(String),
    #[error("检查所用检查表版本不符 / the inspection was started with another checklist version")]
    ChecklistMismatch,
    #[error("请先记录条目 {0} 的检查结果 / answer item {0} before attaching photos to it")]
    NotAnswered(String),
    #[error(
        "照片引用应为64位小写十六进制 SHA-256 / a photo reference must be a SHA-256 in 64 lower-case hex digits, got {0:?}"
    )]
    BadPhotoRef(String),
    #[error("以下隐患缺少照片证据：{} / hazards without the required photo: {}", .0.join("、"), .0.join(", "))]
    MissingEvidence(Vec<String>),
    #[error("以下隐患的描述未写明实测值（数值和单位）：{} / hazards whose description states no measured value with its unit: {}", .0.join("、"), .0.join(", "))]
    MissingMeasurement(Vec<String>),
    #[error(
        "签名引用应为64位小写十六进制 SHA-256 / a signature reference must be a SHA-256 in 64 lower-case hex digits, got {0:?}"
    )]
    BadSignatureRef(String),
    #[error("未知行业 {0} / unknown sector {0}")]
    UnknownSector(String),
    #[error(
        "电话号码格式不正确：{0}（手机11位，座机须带区号） / not a phone number: {0} (11-digit mobile, or landline with area code)"
    )]
    BadPhone(String),
    #[error("同一人员不能重复列为检查人员：{0} / {0} is listed twice as an inspector")]
    DuplicateInspector(String),
    #[error(
        "执法检查须由两名以上执法人员进行，请添加同行检查人员 / a law-enforcement inspection needs at least two officers: add a co-inspector"
    )]
    TooFewOfficers,
    #[error("复查没有需要复查的隐患 / this re-inspection has no hazards to review")]
    NothingToReview,
    #[error("复查中没有该隐患 {0} / the re-inspection does not include hazard {0}")]
    UnknownReview(String),
    #[error("只有复查才能复核隐患 / only a re-inspection (复查) reviews earlier hazards")]
    NotAReinspection,
    #[error("以下隐患尚未复查：{} / hazards not reviewed yet: {}", .0.join("、"), .0.join(", "))]
    ReviewsPending(Vec<String>),
    #[error("以下隐患标记为已整改，但缺少整改后照片：{} / rectified hazards without a photo: {}", .0.join("、"), .0.join(", "))]
    RectifiedWithoutPhoto(Vec<String>),
    #[error("以下未整改隐患尚未选择处理措施：{} / hazards not rectified without an escalation: {}", .0.join("、"), .0.join(", "))]
    EscalationMissing(Vec<String>),
    #[error("以下延期整改的新期限无效（须为日期，不早于复查当日且晚于原期限）：{} / extensions whose new deadline is not a date on or after the review and after the old deadline: {}", .0.join("、"), .0.join(", "))]
    BadNewDeadline(Vec<String>),
}

/// A required field left empty, named as "中文 english": each half of the message names it in
/// its language. What a form can get wrong on its own; [`Inspector::new`] fails only so, and
/// registration, which runs before anything else is loaded, needs no other message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("请填写{} / {} is required", field_name(.0).0, field_name(.0).1)]
pub struct MissingField(pub &'static str);

impl From<MissingField> for InspectionError {
    fn from(missing: MissingField) -> Self {
        InspectionError::Required(missing.0)
    }
}

/// "检查人员姓名 inspector name" → ("检查人员姓名", "inspector name").
fn field_name(what: &str) -> (&str, &str) {
    what.split_once(' ').unwrap_or((what, what))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspection::Inspector;

    #[test]
    fn a_required_field_is_named_in_each_language_of_the_message() {
        assert_eq!(
            Inspector::new("", "A1").unwrap_err().to_string(),
            "请填写检查人员姓名 / inspector name is required"
        );
        assert_eq!(
            InspectionError::Required("单位名称").to_string(),
            "请填写单位名称 / 单位名称 is required"
        );
        // The domain error says what the form's own error says.
        let missing = MissingField("执法证号 certificate number");
        assert_eq!(
            InspectionError::from(missing).to_string(),
            missing.to_string()
        );
        assert_eq!(
            missing.to_string(),
            "请填写执法证号 / certificate number is required"
        );
    }
}
