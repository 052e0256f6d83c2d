//! Roles: CREATE/ALTER/DROP ROLE and USER, and their options.

use crate::sql::ast::RoleOption;
use crate::sql::keywords::kw_cat;
use crate::sql::scan::Tk;

use super::{PResult, Parser};

impl Parser<'_> {
    /// `RoleId` (CREATE ROLE's name).
    pub(super) fn role_id(&mut self) -> PResult<String> {
        let idx = self.pos;
        let special = match self.kw_at(0) {
            Some("current_user") => Some("CURRENT_USER"),
            Some("session_user") => Some("SESSION_USER"),
            Some("current_role") => Some("CURRENT_ROLE"),
            _ => None,
        };
        if let Some(s) = special {
            return Err(self.msg_at(idx, format!("{s} cannot be used as a role name here")));
        }
        let name = self.nonreserved_word()?;
        if name == "public" || name == "none" {
            return Err(self.msg_at(idx, format!("role name \"{name}\" is reserved")));
        }
        Ok(name)
    }

    /// `RoleSpec`: a name, and whether it is a special specifier.
    pub(super) fn role_spec(&mut self) -> PResult<(String, bool)> {
        let idx = self.pos;
        if let Some(w) = self.kw() {
            if matches!(w.as_str(), "current_user" | "session_user" | "current_role") {
                self.advance();
                return Ok((w, true));
            }
        }
        let name = self.nonreserved_word()?;
        if name == "none" {
            return Err(self.msg_at(idx, "role name \"none\" is reserved"));
        }
        let special = name == "public";
        Ok((name, special))
    }

    pub(super) fn role_options(&mut self, create: bool) -> PResult<Vec<(RoleOption, usize)>> {
        let mut opts = Vec::new();
        loop {
            let idx = self.pos;
            let Tk::Word { text, quoted } = self.tk(0).clone() else {
                return Ok(opts);
            };
            let opt = if quoted || kw_cat(&text).is_none() {
                self.advance();
                match text.as_str() {
                    "superuser" => RoleOption::Superuser(true),
                    "nosuperuser" => RoleOption::Superuser(false),
                    "createrole" => RoleOption::CreateRole(true),
                    "nocreaterole" => RoleOption::CreateRole(false),
                    "createdb" => RoleOption::CreateDb(true),
                    "nocreatedb" => RoleOption::CreateDb(false),
                    "replication" => RoleOption::Replication(true),
                    "noreplication" => RoleOption::Replication(false),
                    "login" => RoleOption::Login(true),
                    "nologin" => RoleOption::Login(false),
                    "noinherit" => RoleOption::Inherit(false),
                    "bypassrls" | "nobypassrls" => return self.unsupported(idx, "BYPASSRLS"),
                    _ => {
                        return Err(self.msg_at(idx, format!("unrecognized role option \"{text}\"")))
                    }
                }
            } else {
                match text.as_str() {
                    "password" => {
                        self.advance();
                        if self.eat_kw("null") {
                            RoleOption::Password(None)
                        } else {
                            RoleOption::Password(Some(self.sconst()?))
                        }
                    }
                    "encrypted" => {
                        self.advance();
                        self.expect_kw("password")?;
                        RoleOption::EncryptedPassword(self.sconst()?)
                    }
                    "unencrypted" => {
                        self.advance();
                        self.expect_kw("password")?;
                        self.sconst()?;
                        return Err(self.msg_at(idx, "UNENCRYPTED PASSWORD is no longer supported"));
                    }
                    "inherit" => {
                        self.advance();
                        RoleOption::Inherit(true)
                    }
                    "connection" => {
                        self.advance();
                        self.expect_kw("limit")?;
                        RoleOption::ConnectionLimit(self.signed_iconst()?)
                    }
                    "valid" => return self.unsupported(idx, "VALID UNTIL"),
                    "user" => return self.unsupported(idx, "USER role lists"),
                    "sysid" | "admin" | "role" | "in" if create => {
                        return self.unsupported(
                            idx,
                            &format!("{} in CREATE ROLE", text.to_ascii_uppercase()),
                        )
                    }
                    _ => return Ok(opts),
                }
            };
            opts.push((opt, idx));
        }
    }

    /// CreateRole/AlterRole reject an option given twice.
    pub(super) fn check_role_options(&mut self, opts: &[(RoleOption, usize)]) {
        let mut seen: Vec<&str> = Vec::new();
        for (o, idx) in opts {
            let key = match o {
                RoleOption::Password(_) | RoleOption::EncryptedPassword(_) => "password",
                RoleOption::Login(_) => "canlogin",
                RoleOption::Replication(_) => "isreplication",
                RoleOption::Superuser(_) => "superuser",
                RoleOption::ConnectionLimit(_) => "connectionlimit",
                RoleOption::CreateDb(_) => "createdb",
                RoleOption::CreateRole(_) => "createrole",
                RoleOption::Inherit(_) => "inherit",
            };
            if seen.contains(&key) {
                self.set_pending(self.msg_at(*idx, "conflicting or redundant options"));
                return;
            }
            seen.push(key);
        }
    }

    pub(super) fn signed_iconst(&mut self) -> PResult<i64> {
        let neg = if self.eat_op("-") {
            true
        } else {
            self.eat_op("+");
            false
        };
        match self.tk(0) {
            Tk::Int(v) if i32::try_from(*v).is_ok() => {
                let v = if neg { -*v } else { *v };
                self.advance();
                Ok(v)
            }
            _ => self.fail(),
        }
    }
}
