//! Contacts to CSV: one row per contact, multi-valued fields joined with " ; " so spreadsheets and the
//! generic CSV import read them back.

use crate::contact::ContactDraft;

pub const HEADER: [&str; 13] = [
    "Id",
    "Name",
    "First Name",
    "Last Name",
    "Organization",
    "Job Title",
    "Email",
    "Phone",
    "Social Profiles",
    "Tags",
    "City",
    "Website",
    "Birthday",
];

pub fn write(rows: &[(i64, &ContactDraft)]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for (id, d) in rows {
        let join = |items: Vec<String>| items.join(" ; ");
        w.write_record([
            id.to_string(),
            neutralise(&d.display_name),
            neutralise(&d.given_name),
            neutralise(&d.family_name),
            neutralise(d.organization.as_deref().unwrap_or("")),
            neutralise(d.title.as_deref().unwrap_or("")),
            join(d.emails.iter().map(|e| neutralise(&e.address)).collect()),
            join(d.phones.iter().map(|p| neutralise(&p.number)).collect()),
            join(d.identities.iter().map(|i| neutralise(i.profile_url.as_deref().unwrap_or(&i.handle))).collect()),
            join(d.tags.iter().map(|t| neutralise(t)).collect()),
            neutralise(d.city.as_deref().unwrap_or("")),
            neutralise(d.website.as_deref().unwrap_or("")),
            neutralise(d.birthday.as_deref().unwrap_or("")),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection); prefix it with a quote.
/// Phone numbers like "+1 555" are exempt: they are data people expect to see as typed.
fn neutralise(value: &str) -> String {
    let looks_like_phone =
        value.starts_with('+') && value[1..].chars().all(|c| c.is_ascii_digit() || " -().".contains(c));
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if !looks_like_phone => format!("'{value}"),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table;

    #[test]
    fn exported_csv_imports_back_with_the_same_people() {
        let d = crate::contact::ContactDraft {
            given_name: "Ann".into(),
            family_name: "Lee".into(),
            display_name: "Ann Lee".into(),
            organization: Some("Spokes, Inc".into()),
            emails: vec![
                crate::EmailDraft { address: "ann@a.example".into(), label: None },
                crate::EmailDraft { address: "ann@b.example".into(), label: None },
            ],
            tags: vec!["vip".into(), "racing".into()],
            ..Default::default()
        };
        let text = write(&[(7, &d)]).unwrap();
        let mapping = table::default_mapping(text.as_bytes()).unwrap();
        let parsed = table::parse(text.as_bytes(), &mapping);
        let (_, back) = &parsed.records[0];
        assert_eq!(back.display_name, "Ann Lee");
        assert_eq!(back.organization.as_deref(), Some("Spokes, Inc"));
        assert_eq!(back.emails.len(), 2);
        assert_eq!(back.tags, vec!["vip", "racing"]);
    }

    #[test]
    fn formulas_are_neutralised_but_phone_numbers_are_not() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+44 20 7946 0018"), "+44 20 7946 0018");
    }
}
