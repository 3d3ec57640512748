//! Terraform judgement: environment-specific identifiers (ignored or expected, with the reason),
//! categories from resource types and attribute names, and the guards about exposure.

use crate::environment::Family;
use crate::model::Node;
use crate::path::{Path, Segment};
use crate::report::{Category, Severity};

use super::substitution::only_environment_differs;

/// A resource type from an address (`module.a.aws_instance.web[0]` → `aws_instance`).
pub(crate) fn resource_type(address: &str) -> &str {
    // A state in a subfolder prefixes its folder (`network/aws_security_group.web`).
    let address = crate::source::tfstate::unprefixed(address);
    let address = address.split(" (deposed").next().unwrap_or(address);
    // Split at dots outside `[...]` keys (which may hold dots and quotes).
    let (mut parts, mut start, mut depth, mut quoted) = (Vec::new(), 0, 0usize, false);
    let bytes = address.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'[' if !quoted => depth += 1,
            b']' if !quoted => depth = depth.saturating_sub(1),
            b'.' if !quoted && depth == 0 => {
                parts.push(&address[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&address[start..]);
    // `…type.name[key]`: the type is the second to last part.
    parts.len().checked_sub(2).map_or("", |i| parts[i])
}

fn first_key(path: &Path) -> &str {
    match path.segments().first() {
        Some(Segment::Key(k)) => k,
        _ => "",
    }
}

fn last_key(path: &Path) -> &str {
    path.last_key().unwrap_or_default()
}

/// Attributes that only identify the object in its own account: never configuration.
const IDENTIFIERS: &[&str] = &["id", "arn", "owner_id", "unique_id", "account_id"];

/// Why a change is not configuration drift, with `true` for ignored and `false` for expected.
/// `tags_differ(key)`: whether the two sides' `tags` differ at the key (so the difference is
/// reported there).
pub(crate) fn not_drift(
    address: &str,
    path: &Path,
    (left, right): (Option<&Node>, Option<&Node>),
    families: Option<(&Family, &Family)>,
    tags_differ: &dyn Fn(&str) -> bool,
) -> Option<(bool, &'static str)> {
    let key = last_key(path);
    if crate::source::tfstate::unprefixed(address) == "state" {
        return None;
    }
    if path.segments().len() == 1 && IDENTIFIERS.contains(&key) {
        return Some((true, "an identifier assigned by the provider in each environment"));
    }
    if path.segments().len() == 1 && is_computed(resource_type(address), key) {
        return Some((true, "assigned by the provider in each account and region (an endpoint, a zone, an address)"));
    }
    if first_key(path) == "tags_all" {
        // tags_all = the provider's default_tags + tags. Where tags differ, the difference is
        // reported there; any other difference of tags_all (a key from default_tags) is compared.
        let unexplained = matches!(path.segments(), [_, Segment::Key(k)] if !tags_differ(k));
        if !unexplained {
            return Some((true, "tags_all repeats tags plus the provider's default_tags; tags are compared"));
        }
    }
    let (Some(Node::String(a)), Some(Node::String(b))) = (left, right) else { return None };
    if same_but_account(a, b, families) {
        return Some((false, "differs only by the AWS account id and the environment's name"));
    }
    if key != "image_id" && is_resource_id(a) && is_resource_id(b) {
        return Some((true, "a resource id assigned by the provider in each environment"));
    }
    if key == "availability_zone" && same_zone_other_region(a, b) {
        return Some((true, "the same zone in the other environment's region"));
    }
    if is_reference_key(key) && same_reference(a, b, families) {
        return Some((
            true,
            "a reference to a provider-assigned identifier: differs only by account, region, environment or generated suffix",
        ));
    }
    None
}

/// Attributes a provider computes per account and region, by resource type prefix.
const COMPUTED: &[(&str, &[&str])] = &[
    (
        "aws_db_instance",
        &["address", "endpoint", "hosted_zone_id", "resource_id", "ca_cert_identifier", "latest_restorable_time"],
    ),
    ("aws_rds_cluster", &["endpoint", "reader_endpoint", "hosted_zone_id", "cluster_resource_id", "cluster_members"]),
    ("aws_lb", &["dns_name", "zone_id"]),
    ("aws_alb", &["dns_name", "zone_id"]),
    ("aws_elb", &["dns_name", "zone_id", "source_security_group", "source_security_group_id"]),
    (
        "aws_elasticache",
        &["cache_nodes", "configuration_endpoint_address", "primary_endpoint_address", "reader_endpoint_address"],
    ),
    ("aws_instance", &["private_ip", "public_ip", "private_dns", "public_dns", "primary_network_interface_id"]),
    (
        "aws_cloudfront_distribution",
        &["domain_name", "hosted_zone_id", "etag", "last_modified_time", "caller_reference"],
    ),
    ("aws_s3_bucket", &["bucket_domain_name", "bucket_regional_domain_name", "hosted_zone_id"]),
    ("aws_eks_cluster", &["endpoint", "certificate_authority", "identity", "platform_version"]),
];

fn is_computed(kind: &str, key: &str) -> bool {
    COMPUTED.iter().any(|(prefix, keys)| kind.starts_with(prefix) && keys.contains(&key))
}

/// Two availability zones that are the same zone letter in another region (`eu-west-1a` and
/// `us-east-1a`): the difference is the region's.
fn same_zone_other_region(a: &str, b: &str) -> bool {
    let split = |z: &str| {
        let letter = z.chars().last().filter(char::is_ascii_lowercase)?;
        let region = &z[..z.len() - 1];
        region.ends_with(|c: char| c.is_ascii_digit()).then_some((region.to_owned(), letter))
    };
    matches!((split(a), split(b)), (Some((ra, la)), Some((rb, lb))) if ra != rb && la == lb)
}

/// Attributes that refer to another object by its provider-assigned identity: `certificate_arn`,
/// `target_group_arn`, `kms_key_id`, `subnet_ids`, `deadLetterTargetArn`… (not images:
/// `image_id`, `ami`, `custom_ami_id`: which image runs is configuration).
fn is_reference_key(key: &str) -> bool {
    let reference = ["_arn", "_id", "_arns", "_ids", "Arn", "Id", "Arns", "Ids"].iter().any(|s| key.ends_with(s));
    let image = key.contains("ami") || key.contains("image");
    reference && !image
}

/// Two references that name the same thing once what each environment assigns is set aside:
/// account ids, regions, UUIDs and generated hex or digit suffixes, and the compared
/// environments' own names (`web-stg` ↔ `web-prod`; not `orders-dev`, which names a third one).
pub(crate) fn same_reference(a: &str, b: &str, families: Option<(&Family, &Family)>) -> bool {
    let (from, to) = match families {
        Some((from, to)) => (Some(from), Some(to)),
        None => (None, None),
    };
    a != b && normalized_reference(a, from) == normalized_reference(b, to)
}

fn normalized_reference(text: &str, env: Option<&Family>) -> Vec<String> {
    const REGION_AREAS: &[&str] = &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"];
    const DIRECTIONS: &[&str] =
        &["north", "south", "east", "west", "central", "northeast", "southeast", "northwest", "southwest"];
    let text = without_uuids(text);
    let words: Vec<&str> = text.split([':', '/', '-', '_', '.', '@']).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        // A region: `eu` `west` `1`.
        if REGION_AREAS.contains(&w)
            && words.get(i + 1).is_some_and(|d| DIRECTIONS.contains(d))
            && words.get(i + 2).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            out.push("{region}".to_owned());
            i += 3;
            continue;
        }
        let digits = w.bytes().filter(u8::is_ascii_digit).count();
        let generated = (w.len() >= 8 && w.bytes().all(|b| b.is_ascii_hexdigit()) && digits > 0)
            || (digits >= 12 && digits == w.len())
            || w == "{uuid}";
        let own_environment = env.is_some_and(|f| f.tokens.iter().any(|t| t.eq_ignore_ascii_case(w)));
        if generated {
            out.push("*".to_owned());
        } else if own_environment {
            out.push("{env}".to_owned());
        } else if !w.is_empty() {
            out.push(w.to_ascii_lowercase());
        }
        i += 1;
    }
    out
}

/// The text with every UUID (`3e1b2a4c-9f0d-4b7e-8c21-5a6d7e8f9012`) replaced by `{uuid}`.
fn without_uuids(text: &str) -> String {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let mut at = i;
        let mut uuid = true;
        for (g, len) in GROUPS.iter().enumerate() {
            let end = at + len;
            if end > bytes.len() || !bytes[at..end].iter().all(u8::is_ascii_hexdigit) {
                uuid = false;
                break;
            }
            at = end;
            if g < 4 {
                if bytes.get(at) != Some(&b'-') {
                    uuid = false;
                    break;
                }
                at += 1;
            }
        }
        let bounded = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if uuid && bounded && bytes.get(at).is_none_or(|b| !b.is_ascii_alphanumeric()) {
            out.push_str("{uuid}");
            i = at;
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// What makes a Terraform change high whatever its category, if anything: a wildcard grant only
/// production has (`Action: *`, `Principal: *`), or a security switch production turned to its
/// unsafe value.
pub(crate) fn raises(path: &Path, left: Option<&Node>, right: Option<&Node>) -> Option<&'static str> {
    let right = right?;
    if wildcard_grant(path, right) && !left.is_some_and(|l| wildcard_grant(path, l)) {
        return Some("a wildcard grant only this environment has");
    }
    unsafe_switch(last_key(path), right)
}

/// How an IAM policy change reads: `s3:PutObject added to statement ReadBucket`, for an action,
/// resource or principal added to or removed from a statement named by its `Sid`.
pub(crate) fn iam_message(path: &Path, added: bool) -> Option<String> {
    let segments = path.segments();
    let [.., Segment::Keyed(statement), Segment::Key(field), Segment::Member(member)] = segments else {
        return None;
    };
    let sid = statement.strip_prefix("Sid=")?.split(',').next()?;
    if !matches!(&**field, "Action" | "NotAction" | "Resource" | "NotResource") {
        return None;
    }
    let what = member.trim_matches('"');
    let verb = if added { "added to" } else { "removed from" };
    Some(format!("{what} {verb} statement {sid} ({field})"))
}

/// Whether an added part of an IAM policy grants a wildcard: an action `*` or `service:*`, or a
/// principal `*`, in an `Allow` statement (or added inside one).
pub(crate) fn wildcard_grant(path: &Path, added: &Node) -> bool {
    let in_statement = path.segments().iter().any(|s| matches!(s, Segment::Key(k) if &**k == "Statement"));
    if !in_statement {
        return false;
    }
    fn wild(node: &Node) -> bool {
        match node {
            Node::String(s) => s.as_str() == "*" || s.ends_with(":*"),
            Node::List(list) => list.items().iter().any(wild),
            Node::Map(map) => map.get("AWS").is_some_and(wild),
            _ => false,
        }
    }
    match added.as_map() {
        // A whole statement.
        Some(map) if map.get("Effect").is_some() => {
            map.get("Effect").and_then(Node::as_str) == Some("Allow")
                && (map.get("Action").is_some_and(wild) || map.get("Principal").is_some_and(wild))
        }
        _ => {
            let at = path.segments().iter().rev().find_map(|s| match s {
                Segment::Key(k) => Some(&**k),
                _ => None,
            });
            matches!(at, Some("Action" | "Principal" | "AWS")) && wild(added)
        }
    }
}

/// Security switches whose production value matters: the message when production's value is
/// the unsafe one (`storage_encrypted = false`, `deletion_protection = false`, a public access
/// block off, backups off).
pub(crate) fn unsafe_switch(key: &str, value: &Node) -> Option<&'static str> {
    let off = matches!(value, Node::Bool(false));
    let on = matches!(value, Node::Bool(true));
    let zero = matches!(value, Node::Number(n) if n.value().to_f64() == 0.0);
    match key {
        "storage_encrypted" | "encrypted" | "kms_encrypted" | "encryption_at_rest_enabled" if off => {
            Some("encryption at rest is off")
        }
        "deletion_protection" | "deletion_protection_enabled" if off => Some("deletion protection is off"),
        "block_public_acls" | "block_public_policy" | "ignore_public_acls" | "restrict_public_buckets" if off => {
            Some("an S3 public access block is off")
        }
        "publicly_accessible" | "map_public_ip_on_launch" if on => Some("it is reachable from the internet"),
        "backup_retention_period" if zero => Some("automated backups are disabled"),
        "skip_final_snapshot" if on => Some("no final snapshot is taken when it is deleted"),
        "transit_encryption_enabled" | "at_rest_encryption_enabled" if off => Some("encryption is off"),
        _ => None,
    }
}

/// `vpc-0a1b2c3d`, `sg-87738eff46e1ce6c8`, `subnet-…`: a provider-generated id (AMIs excepted:
/// which image runs is configuration).
pub(crate) fn is_resource_id(text: &str) -> bool {
    match text.split_once('-') {
        Some((prefix, hex)) => {
            !prefix.is_empty()
                && prefix.bytes().all(|b| b.is_ascii_lowercase())
                && prefix != "ami"
                && hex.len() >= 8
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// Two values (ARNs, queue URLs) equal once 12-digit AWS account ids are set aside and the
/// environments' names swapped.
pub(crate) fn same_but_account(a: &str, b: &str, families: Option<(&Family, &Family)>) -> bool {
    if a == b {
        return false;
    }
    let (x, y) = (without_accounts(a), without_accounts(b));
    if x == a && y == b {
        return false;
    }
    x == y || families.is_some_and(|(from, to)| only_environment_differs(&x, &y, from, to))
}

/// The text with every run of exactly 12 digits (an AWS account id) replaced by `*`.
fn without_accounts(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push_str(if i - start == 12 { "*" } else { &text[start..i] });
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The category of a change to a resource of `kind` at `path`.
pub(crate) fn category(kind: &str, path: &Path) -> Option<Category> {
    let key = first_key(path);
    let last = last_key(path);
    let network_type = ["security_group", "network_acl", "route", "lb_listener", "vpc", "subnet", "nat_gateway", "eip"]
        .iter()
        .any(|t| kind.contains(t));
    if network_type
        || matches!(
            key,
            "ingress" | "egress" | "cidr_blocks" | "vpc_security_group_ids" | "security_groups" | "publicly_accessible"
        )
    {
        return Some(Category::Network);
    }
    if matches!(
        last,
        "allocated_storage"
            | "max_allocated_storage"
            | "volume_size"
            | "volume_type"
            | "iops"
            | "throughput"
            | "storage_type"
            | "size"
    ) {
        return Some(Category::Storage);
    }
    if matches!(
        last,
        "engine_version"
            | "runtime"
            | "ami"
            | "image_id"
            | "version"
            | "kubernetes_version"
            | "platform_version"
            | "engine"
    ) {
        return Some(Category::Version);
    }
    if matches!(
        last,
        "instance_type"
            | "instance_class"
            | "node_type"
            | "instance_types"
            | "desired_capacity"
            | "min_size"
            | "max_size"
            | "desired_size"
            | "memory_size"
            | "cpu"
            | "memory"
            | "num_cache_nodes"
            | "number_of_nodes"
    ) {
        return Some(Category::Resources);
    }
    None
}

/// The base severity of a change by category.
pub(crate) fn severity(category: Category) -> Option<Severity> {
    match category {
        Category::Network | Category::Version => Some(Severity::High),
        Category::Resources | Category::Storage => Some(Severity::Medium),
        _ => None,
    }
}

/// Whether an added value opens an ingress rule to the whole internet.
pub(crate) fn opens_to_world(path: &Path, added: &Node) -> bool {
    let in_ingress = path.segments().iter().any(|s| matches!(s, Segment::Key(k) if &**k == "ingress"));
    if !in_ingress {
        return false;
    }
    fn world(node: &Node) -> bool {
        match node {
            Node::String(s) => matches!(s.as_str(), "0.0.0.0/0" | "::/0"),
            Node::List(list) => list.items().iter().any(world),
            Node::Map(map) => ["cidr_blocks", "ipv6_cidr_blocks"].iter().any(|k| map.get(k).is_some_and(world)),
            _ => false,
        }
    }
    world(added)
}

/// A production resource that is reachable from the internet: `(field, message)`.
pub(crate) fn exposure(kind: &str, body: &Node) -> Option<(&'static str, String)> {
    let map = body.as_map()?;
    let public = matches!(map.get("publicly_accessible"), Some(Node::Bool(true)));
    (public && (kind.contains("db_instance") || kind.contains("rds_cluster") || kind.contains("redshift")))
        .then(|| ("publicly_accessible", format!("{kind} is publicly accessible")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::family_of;

    #[test]
    fn types_from_addresses() {
        assert_eq!(resource_type("aws_instance.web"), "aws_instance");
        assert_eq!(resource_type("module.a[\"x\"].module.b.aws_db_instance.main[0]"), "aws_db_instance");
        assert_eq!(resource_type("data.aws_caller_identity.current"), "aws_caller_identity");
        assert_eq!(resource_type("aws_s3_bucket.assets[\"eu.west\"]"), "aws_s3_bucket");
        // A state in a subfolder; a `/` in a key is not a folder.
        assert_eq!(resource_type("network/aws_security_group.web"), "aws_security_group");
        assert_eq!(resource_type("aws_s3_object.o[\"a/b.txt\"]"), "aws_s3_object");
        assert_eq!(resource_type("stacks/net/aws_s3_object.o[\"a/b\"]"), "aws_s3_object");
    }

    fn no_tags(_: &str) -> bool {
        false
    }

    #[test]
    fn arns_and_ids() {
        let families = family_of("staging").zip(family_of("production"));
        let p = |s: &str| s.parse::<Path>().unwrap_or_default();
        let s = |v: &str| Node::string(v);
        let arn = not_drift(
            "aws_sqs_queue.jobs",
            &p("redrive_policy.deadLetterTargetArn"),
            (
                Some(&s("arn:aws:sqs:eu-west-1:111111111111:jobs-staging-dlq")),
                Some(&s("arn:aws:sqs:eu-west-1:222222222222:jobs-production-dlq")),
            ),
            families,
            &no_tags,
        );
        assert_eq!(arn.map(|a| a.0), Some(false));
        let other = not_drift(
            "aws_sqs_queue.jobs",
            &p("redrive_policy.deadLetterTargetArn"),
            (
                Some(&s("arn:aws:sqs:eu-west-1:111111111111:jobs-dlq")),
                Some(&s("arn:aws:sqs:eu-west-1:111111111111:other-dlq")),
            ),
            families,
            &no_tags,
        );
        assert_eq!(other, None);
        let vpc = not_drift(
            "aws_subnet.a",
            &p("vpc_id"),
            (Some(&s("vpc-0a1b2c3d4e")), Some(&s("vpc-99887766aa"))),
            families,
            &no_tags,
        );
        assert_eq!(vpc.map(|a| a.0), Some(true));
        let ami = not_drift(
            "aws_instance.a",
            &p("ami"),
            (Some(&s("ami-0a1b2c3d4e")), Some(&s("ami-99887766aa"))),
            families,
            &no_tags,
        );
        assert_eq!(ami, None);
    }

    #[test]
    fn tags_all_is_compared_only_where_default_tags_differ() {
        let p = |s: &str| s.parse::<Path>().unwrap_or_default();
        let s = |v: &str| Node::string(v);
        let values = (Some(&s("a")), Some(&s("b")));
        let tags_differ = |k: &str| k == "Team";
        // tags.Team differs: reported there, not twice.
        assert_eq!(
            not_drift("aws_s3_bucket.b", &p("tags_all.Team"), values, None, &tags_differ).map(|a| a.0),
            Some(true)
        );
        // CostCenter comes from the provider's default_tags (or tags agree): compared.
        assert_eq!(not_drift("aws_s3_bucket.b", &p("tags_all.CostCenter"), values, None, &tags_differ), None);
    }
}
