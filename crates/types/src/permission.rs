//! The two permissions a Connect App can ask for, and sets of them.

use std::fmt;

/// One permission of a Connect App.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// "Read all account data".
    GetAll,
    /// "Charge account for usage".
    PostAll,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a permission; use get-all or post-all")]
pub struct UnknownPermission(pub String);

impl Permission {
    pub const ALL: [Permission; 2] = [Permission::GetAll, Permission::PostAll];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::GetAll => "get-all",
            Permission::PostAll => "post-all",
        }
    }

    /// The words a customer reads on the consent page.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::GetAll => {
                "Read all account data: calls, messages, numbers, recordings and usage of every account you own"
            }
            Permission::PostAll => {
                "Charge your account for usage: buy phone numbers, make calls and send messages billed to you"
            }
        }
    }

    pub fn parse(value: &str) -> Result<Self, UnknownPermission> {
        match value.trim() {
            "get-all" => Ok(Permission::GetAll),
            "post-all" => Ok(Permission::PostAll),
            other => Err(UnknownPermission(other.chars().take(64).collect())),
        }
    }

    fn bit(self) -> u8 {
        match self {
            Permission::GetAll => 1,
            Permission::PostAll => 2,
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of permissions, stored as a small bit set so the database can intersect
/// them too.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Permissions(u8);

impl Permissions {
    pub const NONE: Permissions = Permissions(0);

    pub fn of(list: &[Permission]) -> Self {
        Permissions(list.iter().fold(0, |bits, p| bits | p.bit()))
    }

    /// Reads the stored bit set; unknown bits (from a newer version) are dropped.
    pub fn from_bits(bits: i64) -> Self {
        Permissions((bits & 0b11) as u8)
    }

    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    /// Parses each value, where every value may itself be a comma-separated list:
    /// `Permissions=get-all&Permissions=post-all` and `Permissions=get-all,post-all`
    /// mean the same.
    pub fn parse_all<'a>(
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, UnknownPermission> {
        let mut set = Permissions::NONE;
        for value in values {
            for part in value.split(',').filter(|p| !p.trim().is_empty()) {
                set = set.with(Permission::parse(part)?);
            }
        }
        Ok(set)
    }

    pub fn with(self, p: Permission) -> Self {
        Permissions(self.0 | p.bit())
    }

    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    pub fn intersect(self, other: Permissions) -> Self {
        Permissions(self.0 & other.0)
    }

    /// Permissions in `self` that `other` lacks.
    pub fn minus(self, other: Permissions) -> Self {
        Permissions(self.0 & !other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    pub fn to_strings(self) -> Vec<&'static str> {
        self.iter().map(Permission::as_str).collect()
    }
}

/// As a JSON list of names (`["get-all","post-all"]`), as Twilio writes them.
impl serde::Serialize for Permissions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Permission::as_str))
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_strings().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_and_comma_lists_mean_the_same() {
        let repeated = Permissions::parse_all(["get-all", "post-all"]).unwrap();
        let comma = Permissions::parse_all(["get-all,post-all"]).unwrap();
        assert_eq!(repeated, comma);
        assert!(repeated.contains(Permission::GetAll) && repeated.contains(Permission::PostAll));
    }

    #[test]
    fn unknown_values_are_refused() {
        assert!(Permissions::parse_all(["get-all", "delete-all"]).is_err());
    }

    #[test]
    fn set_algebra() {
        let both = Permissions::of(&Permission::ALL);
        let get = Permissions::of(&[Permission::GetAll]);
        assert_eq!(both.intersect(get), get);
        assert_eq!(both.minus(get), Permissions::of(&[Permission::PostAll]));
        assert_eq!(Permissions::from_bits(both.bits()), both);
        assert_eq!(both.to_string(), "get-all,post-all");
    }
}
