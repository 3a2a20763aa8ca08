//! Closed sets of names: the kinds and states Earshot stores as text and the UI receives as a TypeScript
//! string-literal union. Declared with [`closed_set!`], each gets `ALL`, `as_str`, `parse`, `Display` and a
//! `FromStr` whose error names what is allowed. The database keeps the text without a `CHECK`, so adding a
//! name is a change here, not a table rebuild.

/// Declares a closed set: `pub enum Name("what it is") { Variant = "text", … }`.
macro_rules! closed_set {
    (
        $(#[doc = $enum_doc:literal])*
        pub enum $name:ident($what:literal) {
            $( $(#[doc = $doc:literal])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[doc = $enum_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, ts_rs::TS)]
        pub enum $name {
            $( $(#[doc = $doc])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// Compares with the stored text, as tests and callers that hold text do.
        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<$name, String> {
                $name::parse(text).ok_or_else(|| {
                    format!("\"{text}\" is not a {} ({})", $what, [$($text),+].join(", "))
                })
            }
        }
    };
}
pub(crate) use closed_set;

#[cfg(test)]
mod tests {
    closed_set! {
        /// A test set.
        pub enum Fruit("fruit") {
            Apple = "apple",
            /// Two words.
            BloodOrange = "blood_orange",
        }
    }

    #[test]
    fn names_round_trip_and_an_unknown_one_is_refused_with_the_allowed_ones() {
        for fruit in Fruit::ALL {
            assert_eq!(fruit.as_str().parse::<Fruit>(), Ok(*fruit));
            assert_eq!(serde_json::to_string(fruit).unwrap(), format!("\"{fruit}\""));
        }
        assert_eq!("kiwi".parse::<Fruit>(), Err("\"kiwi\" is not a fruit (apple, blood_orange)".to_string()));
        use ts_rs::TS;
        assert_eq!(Fruit::inline(&ts_rs::Config::new()), "\"apple\" | \"blood_orange\"");
    }
}
