//! What surrounds every page: who is signed in, and the console's navigation.

use switchboard_domain::console::ConsoleSession;

pub struct UserChrome {
    pub email: String,
    pub csrf_token: String,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct Chrome {
    pub user: Option<UserChrome>,
    pub nav: Vec<NavLink>,
    /// A single narrow column (sign-in, consent).
    pub narrow: bool,
}

/// The console's sections, in the order the navigation shows them.
pub const NAV: [(&str, &str); 10] = [
    ("/console", "Dashboard"),
    ("/console/subaccounts", "Subaccounts"),
    ("/console/apps", "Connect Apps"),
    ("/console/authorized-apps", "Authorized apps"),
    ("/console/deliveries", "Deliveries"),
    ("/console/phone", "Phone"),
    ("/console/logs", "Logs"),
    ("/console/debugger", "Debugger"),
    ("/console/usage", "Usage"),
    ("/console/audit", "Audit log"),
];

impl Chrome {
    pub fn anonymous() -> Chrome {
        Chrome {
            user: None,
            nav: Vec::new(),
            narrow: true,
        }
    }

    pub fn for_session(session: Option<&ConsoleSession>, current: &str) -> Chrome {
        let Some(s) = session else {
            return Chrome::anonymous();
        };
        Chrome {
            user: Some(UserChrome {
                email: s.email.clone(),
                csrf_token: s.csrf_token.clone(),
            }),
            nav: NAV
                .iter()
                .map(|(href, label)| NavLink {
                    href,
                    label,
                    current: *href == current,
                })
                .collect(),
            narrow: false,
        }
    }

    pub fn narrow(mut self) -> Chrome {
        self.narrow = true;
        self
    }
}
