//! The built-in rules: their names in findings' `rule` field, and what each does (`drift rules`).

use std::fmt;

/// The built-in rules, as named in findings' `rule` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    /// A value differs only by the environments' names: expected.
    EnvSubstitution,
    /// Secret values differ between environments, as they should: expected.
    SecretsDiffer,
    /// A secret cannot be compared (a snapshot saved without the fingerprint key).
    SecretNotComparable,
    /// The same secret value in both environments.
    SecretReuse,
    /// A secret changed within one environment (over time, git and live): info.
    SecretRotated,
    /// A sandbox / debug / test-mode / dry-run / mock switch is on in production.
    ProductionSwitch,
    /// A production value holds another environment's name.
    PointsAtOtherEnvironment,
    /// A production endpoint points at localhost.
    PointsAtLocalhost,
    /// A production endpoint points at a sandbox or test host.
    SandboxHost,
    /// A production value is a test-mode credential (`sk_test_…`).
    TestCredential,
    /// Kubernetes bookkeeping or a server-defaulted value: ignored.
    K8sNoise,
    /// A production container runs `:latest` or an untagged image.
    UnpinnedImage,
    /// A production container has no resource limits.
    MissingLimits,
    /// A production certificate has expired.
    CertificateExpired,
    /// A production certificate expires soon.
    CertificateExpiring,
    /// Terraform identifiers that differ per environment: ignored or expected.
    TfIdentifier,
    /// An object matched across environments (by environment tokens or `[[map]]`): its differing
    /// namespace or name is expected.
    IdentityMap,
    /// An ingress rule open to 0.0.0.0/0 only in the right environment.
    OpenToWorld,
    /// A production database is publicly accessible.
    PubliclyAccessible,
    /// A production container refers to a ConfigMap or Secret key production does not have.
    MissingReference,
}

impl RuleId {
    /// Every built-in rule.
    pub const ALL: [RuleId; 20] = [
        RuleId::EnvSubstitution,
        RuleId::SecretsDiffer,
        RuleId::SecretNotComparable,
        RuleId::SecretReuse,
        RuleId::SecretRotated,
        RuleId::ProductionSwitch,
        RuleId::PointsAtOtherEnvironment,
        RuleId::PointsAtLocalhost,
        RuleId::SandboxHost,
        RuleId::TestCredential,
        RuleId::K8sNoise,
        RuleId::UnpinnedImage,
        RuleId::MissingLimits,
        RuleId::CertificateExpired,
        RuleId::CertificateExpiring,
        RuleId::TfIdentifier,
        RuleId::IdentityMap,
        RuleId::OpenToWorld,
        RuleId::PubliclyAccessible,
        RuleId::MissingReference,
    ];

    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::EnvSubstitution => "env-substitution",
            RuleId::SecretsDiffer => "secrets-differ",
            RuleId::SecretNotComparable => "secret-not-comparable",
            RuleId::SecretReuse => "secret-reuse",
            RuleId::SecretRotated => "secret-rotated",
            RuleId::ProductionSwitch => "production-switch",
            RuleId::PointsAtOtherEnvironment => "points-at-other-environment",
            RuleId::PointsAtLocalhost => "points-at-localhost",
            RuleId::SandboxHost => "sandbox-host",
            RuleId::TestCredential => "test-credential",
            RuleId::K8sNoise => "k8s-noise",
            RuleId::UnpinnedImage => "unpinned-image",
            RuleId::MissingLimits => "missing-limits",
            RuleId::CertificateExpired => "certificate-expired",
            RuleId::CertificateExpiring => "certificate-expiring",
            RuleId::TfIdentifier => "tf-identifier",
            RuleId::IdentityMap => "identity-map",
            RuleId::OpenToWorld => "open-to-world",
            RuleId::PubliclyAccessible => "publicly-accessible",
            RuleId::MissingReference => "missing-reference",
        }
    }

    /// What the rule does, for `drift rules`.
    pub fn description(self) -> &'static str {
        match self {
            RuleId::EnvSubstitution => "a value that differs only by the environments' names is expected",
            RuleId::SecretsDiffer => "secret values that differ between environments are expected",
            RuleId::SecretNotComparable => {
                "a secret from a snapshot saved without the fingerprint key cannot be compared"
            }
            RuleId::SecretReuse => "the same secret value in two different environments is a finding",
            RuleId::SecretRotated => {
                "a secret that changed within one environment (over time, git and live) is a rotation (info)"
            }
            RuleId::ProductionSwitch => {
                "sandbox, debug, test-mode, dry-run, mock and fake switches must be off in production"
            }
            RuleId::PointsAtOtherEnvironment => "a production value must not name the other environment",
            RuleId::PointsAtLocalhost => "a production endpoint must not point at localhost",
            RuleId::SandboxHost => "a production endpoint must not point at a sandbox or test host",
            RuleId::TestCredential => "a production credential must not be a test-mode one (sk_test_…)",
            RuleId::K8sNoise => {
                "Kubernetes status, bookkeeping, cluster-assigned fields and server defaults are ignored"
            }
            RuleId::UnpinnedImage => "a production container must run a pinned image (not :latest, not untagged)",
            RuleId::MissingLimits => "a production container must have resource limits",
            RuleId::CertificateExpired => "a production certificate must not have expired",
            RuleId::CertificateExpiring => {
                "a production certificate must not expire within the warning period (30 days)"
            }
            RuleId::TfIdentifier => {
                "ids, ARNs (up to the account id) and tags_all differ per environment and are not drift"
            }
            RuleId::IdentityMap => {
                "an object matched across environments (environment tokens or [[map]]) may differ in namespace or name"
            }
            RuleId::OpenToWorld => {
                "a production firewall rule open to the internet (AWS, GCP, Azure; every port or an admin or database port critical, web ports low)"
            }
            RuleId::PubliclyAccessible => "a production database must not be publicly accessible",
            RuleId::MissingReference => {
                "a production container must not read a ConfigMap or Secret key production does not have (it would not start)"
            }
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
