//! Kubernetes judgement: what is controller bookkeeping or a server default (ignored, with the
//! reason), what category a change is in, and the production guards on containers.

use serde_json::{Value, json};

use crate::model::Node;
use crate::path::{Path, Segment};
use crate::report::{Category, Severity, value_json};

use super::RuleId;

/// An object's kind, from its address `group/Kind/namespace/name`.
pub(crate) fn kind_of(address: &str) -> &str {
    address.split('/').nth(1).unwrap_or_default()
}

/// The map keys of a path, in order (list items skipped).
fn keys(path: &Path) -> Vec<&str> {
    path.segments()
        .iter()
        .filter_map(|s| match s {
            Segment::Key(k) => Some(&**k),
            _ => None,
        })
        .collect()
}

const NOISE_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

const NOISE_ANNOTATIONS: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    // `kubectl rollout restart` stamps the pod template with the time.
    "kubectl.kubernetes.io/restartedAt",
    "deprecated.daemonset.template.generation",
    "endpoints.kubernetes.io/last-change-trigger-time",
    "control-plane.alpha.kubernetes.io/leader",
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    "pv.kubernetes.io/provisioned-by",
    "volume.beta.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/selected-node",
    // Helm's bookkeeping: which release owns the object.
    "meta.helm.sh/release-name",
    "meta.helm.sh/release-namespace",
];

/// Labels the API server or a controller adds.
const NOISE_LABELS: &[&str] = &[
    "kubernetes.io/metadata.name",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
    "pod-template-hash",
    // Helm's bookkeeping: the chart's name and version (what it renders is compared itself).
    "helm.sh/chart",
];

fn noise_annotation(key: &str) -> bool {
    NOISE_ANNOTATIONS.contains(&key) || is_checksum(key)
}

/// `checksum/config`, `checksum/secret`…: a hash of a ConfigMap or Secret that a chart puts on a
/// pod template to restart it; the change behind it is reported on that object itself.
fn is_checksum(key: &str) -> bool {
    key.starts_with("checksum/")
}

/// The workloads a HorizontalPodAutoscaler scales, in either environment: `group/Kind/ns/name` of
/// the target, and the autoscaler's name.
pub(crate) fn autoscaled(
    left: &crate::model::Snapshot,
    right: &crate::model::Snapshot,
) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for snapshot in [left, right] {
        for entity in snapshot.entities().filter(|e| {
            e.id().domain() == crate::model::Domain::K8s && kind_of(e.id().address()) == "HorizontalPodAutoscaler"
        }) {
            let namespace = entity.id().address().split('/').nth(2).unwrap_or("_");
            let target =
                entity.body().as_map().and_then(|m| m.get("spec")).and_then(|s| s.as_map()?.get("scaleTargetRef"));
            let (Some(kind), Some(name)) =
                (target.and_then(|t| string_at(t, "kind")), target.and_then(|t| string_at(t, "name")))
            else {
                continue;
            };
            let group = match target.and_then(|t| string_at(t, "apiVersion")).and_then(|v| v.rsplit_once('/')) {
                Some((group, _)) => group,
                None => "core",
            };
            let hpa = entity.id().address().rsplit('/').next().unwrap_or_default().to_owned();
            out.insert(format!("{group}/{kind}/{namespace}/{name}"), hpa);
        }
    }
    out
}

/// Whether an object is a Helm hook (`helm.sh/hook`: tests, pre-install jobs): not part of what
/// the release runs.
pub(crate) fn is_helm_hook(body: &Node) -> bool {
    body.as_map()
        .and_then(|m| m.get("metadata"))
        .and_then(Node::as_map)
        .and_then(|m| m.get("annotations"))
        .and_then(Node::as_map)
        .is_some_and(|a| a.get("helm.sh/hook").is_some())
}

/// Why a change is noise, if it is: bookkeeping written by the API server or a controller, or a
/// field the API server defaults whose value is the default. `present` is the value on the side
/// that has one (for added and removed changes); `body` is that side's whole object.
pub(crate) fn noise(kind: &str, path: &Path, one_sided: Option<&Node>, body: Option<&Node>) -> Option<&'static str> {
    let keys = keys(path);
    let last = keys.last().copied().unwrap_or_default();
    let parent = if keys.len() >= 2 { keys[keys.len() - 2] } else { "" };
    if keys.first() == Some(&"status") {
        return Some("status is written by controllers, not configuration");
    }
    if parent == "metadata" && NOISE_METADATA.contains(&last) {
        return Some("object bookkeeping written by the API server");
    }
    if keys.contains(&"ownerReferences") && last == "uid" {
        return Some("owner uids differ per cluster");
    }
    if (parent == "annotations" && last.starts_with("meta.helm.sh/")) || (parent == "labels" && last == "helm.sh/chart")
    {
        return Some("Helm's bookkeeping (release and chart version): what the chart renders is compared itself");
    }
    if parent == "annotations" && is_checksum(last) {
        return Some("a checksum of a ConfigMap or Secret: the change behind it is reported on that object");
    }
    if parent == "annotations" && noise_annotation(last) {
        return Some("annotation written by a tool or controller");
    }
    if parent == "labels" && NOISE_LABELS.contains(&last) {
        return Some("label added by the API server or a controller");
    }
    let value = one_sided?;
    // Helm sets `app.kubernetes.io/managed-by: Helm` on every object it installs; a label that
    // names another tool, or a changed one, is compared.
    let helm_managed = |k: &str, v: &Node| k == "app.kubernetes.io/managed-by" && v.as_str() == Some("Helm");
    if parent == "labels" && helm_managed(last, value) {
        return Some("Helm's bookkeeping: Helm labels every object it installs");
    }
    if last == "labels"
        && value.as_map().is_some_and(|m| {
            !m.is_empty()
                && m.fields().iter().all(|f| helm_managed(f.key(), f.node()) || NOISE_LABELS.contains(&f.key()))
        })
    {
        return Some("only labels Helm, the API server or a controller adds");
    }
    if matches!(value, Node::Null) {
        return Some("a null field is absent to the API server (a chart that renders `limits: null`)");
    }
    if parent == "metadata" && last == "namespace" && keys.len() == 2 {
        return Some("the namespace is part of the identity (absent means `default`)");
    }
    // A whole map or list that holds only noise.
    if last == "annotations" && all_keys(value, noise_annotation) {
        return Some("only annotations written by tools or controllers");
    }
    if last == "labels" && all_keys(value, |k| NOISE_LABELS.contains(&k)) {
        return Some("only labels added by the API server or a controller");
    }
    // `last` is `volumes` both for the whole list and for one of its items.
    if last == "volumes" && all_items(value, is_token_volume) {
        return Some("service-account token volume injected by the API server");
    }
    if last == "volumeMounts" && all_items(value, is_token_mount) {
        return Some("service-account token mount injected by the API server");
    }
    if last == "tolerations" && all_items(value, is_default_toleration) {
        return Some("tolerations added by the DefaultTolerationSeconds admission plugin");
    }
    match (kind, parent, last) {
        ("Service", "spec", "clusterIP" | "clusterIPs" | "ipFamilies" | "ipFamilyPolicy" | "healthCheckNodePort") => {
            return Some("assigned by the cluster");
        }
        ("Service", _, "nodePort") => return Some("node port assigned by the cluster"),
        ("Pod", "spec", "nodeName" | "priority" | "serviceAccount" | "preemptionPolicy") => {
            return Some("set on the pod by the scheduler or admission");
        }
        // The deprecated alias the API server fills from `serviceAccountName`, in any pod spec.
        (_, "spec", "serviceAccount") if same_as_sibling(body, path, "serviceAccountName", value) => {
            return Some("the API server copies serviceAccountName into this deprecated field");
        }
        ("PersistentVolumeClaim", "spec", "volumeName") => return Some("bound by the volume controller"),
        ("ServiceAccount", _, "secrets") => return Some("token secrets managed by the cluster"),
        ("Job", "spec", "selector") => return Some("generated by the Job controller"),
        _ => {}
    }
    let default = default_value(kind, &keys, path, body)?;
    (value_json(value) == default).then_some("the API server's default value")
}

/// Whether the field beside `path` named `sibling` holds `value` (in the same side's object).
fn same_as_sibling(body: Option<&Node>, path: &Path, sibling: &str, value: &Node) -> bool {
    let segments = path.segments();
    let Some((_, parent)) = segments.split_last() else { return false };
    let mut at = Path::from_segments(parent.to_vec());
    at = at.child(Segment::Key(sibling.into()));
    body.and_then(|b| b.at(&at)).is_some_and(|s| s == value)
}

fn all_keys(value: &Node, noise: impl Fn(&str) -> bool) -> bool {
    value.as_map().is_some_and(|m| !m.is_empty() && m.fields().iter().all(|f| noise(f.key())))
}

fn all_items(value: &Node, noise: impl Fn(&Node) -> bool) -> bool {
    match value {
        Node::List(list) => !list.items().is_empty() && list.items().iter().all(noise),
        item @ Node::Map(_) => noise(item),
        _ => false,
    }
}

fn string_at<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.as_map()?.get(key)?.as_str()
}

fn is_token_volume(item: &Node) -> bool {
    string_at(item, "name").is_some_and(|n| n.starts_with("kube-api-access-") || n.starts_with("default-token-"))
}

fn is_token_mount(item: &Node) -> bool {
    string_at(item, "mountPath") == Some("/var/run/secrets/kubernetes.io/serviceaccount")
}

fn is_default_toleration(item: &Node) -> bool {
    let key = string_at(item, "key");
    matches!(key, Some("node.kubernetes.io/not-ready" | "node.kubernetes.io/unreachable"))
        && string_at(item, "effect") == Some("NoExecute")
}

/// The value the API server defaults a field to, as JSON (FORMATS.md §2d).
fn default_value(kind: &str, keys: &[&str], path: &Path, body: Option<&Node>) -> Option<Value> {
    let last = *keys.last()?;
    let parent = if keys.len() >= 2 { keys[keys.len() - 2] } else { "" };
    let in_container = keys.iter().any(|k| matches!(*k, "containers" | "initContainers" | "ephemeralContainers"));
    let in_probe = keys.iter().any(|k| matches!(*k, "livenessProbe" | "readinessProbe" | "startupProbe"));
    let pod_spec = parent == "spec" && (kind == "Pod" || keys.contains(&"template"));
    Some(match last {
        "terminationMessagePath" if in_container => json!("/dev/termination-log"),
        "terminationMessagePolicy" if in_container => json!("File"),
        "imagePullPolicy" if in_container => {
            // `Always` for `:latest` or an untagged image, else `IfNotPresent`.
            let container = Path::from_segments(path.segments()[..path.segments().len() - 1].to_vec());
            let image = body.and_then(|b| b.at(&container)).and_then(|c| string_at(c, "image"))?;
            json!(if image_tag(image).is_none_or(|t| t == "latest") && !image.contains('@') {
                "Always"
            } else {
                "IfNotPresent"
            })
        }
        "resources" | "securityContext" if in_container => json!({}),
        "timeoutSeconds" if in_probe => json!(1),
        "periodSeconds" if in_probe => json!(10),
        "successThreshold" if in_probe => json!(1),
        "failureThreshold" if in_probe => json!(3),
        "scheme" if parent == "httpGet" => json!("HTTP"),
        "dnsPolicy" if pod_spec => json!("ClusterFirst"),
        "restartPolicy" if pod_spec && kind != "Job" && kind != "CronJob" => json!("Always"),
        "schedulerName" if pod_spec => json!("default-scheduler"),
        "securityContext" if pod_spec => json!({}),
        "terminationGracePeriodSeconds" if pod_spec => json!(30),
        "enableServiceLinks" if pod_spec => json!(true),
        "serviceAccountName" if pod_spec => json!("default"),
        "defaultMode" => json!(420),
        "type" if parent == "hostPath" => json!(""),
        "revisionHistoryLimit" if matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet") => json!(10),
        "progressDeadlineSeconds" if kind == "Deployment" => json!(600),
        "replicas" if parent == "spec" && matches!(kind, "Deployment" | "StatefulSet" | "ReplicaSet") => json!(1),
        "strategy" if kind == "Deployment" => {
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        }
        "rollingUpdate" if kind == "Deployment" => json!({"maxSurge": "25%", "maxUnavailable": "25%"}),
        "maxSurge" | "maxUnavailable" if kind == "Deployment" => json!("25%"),
        "updateStrategy" if kind == "StatefulSet" => {
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        }
        "rollingUpdate" if kind == "StatefulSet" => json!({"partition": 0}),
        "updateStrategy" if kind == "DaemonSet" => {
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}})
        }
        "rollingUpdate" if kind == "DaemonSet" => json!({"maxSurge": 0, "maxUnavailable": 1}),
        "podManagementPolicy" => json!("OrderedReady"),
        "persistentVolumeClaimRetentionPolicy" => json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
        "sessionAffinity" if kind == "Service" => json!("None"),
        "type" if kind == "Service" && parent == "spec" => json!("ClusterIP"),
        "internalTrafficPolicy" | "externalTrafficPolicy" if kind == "Service" => json!("Cluster"),
        "allocateLoadBalancerNodePorts" if kind == "Service" => json!(true),
        "targetPort" if kind == "Service" => {
            // Defaults to the port itself.
            let port = Path::from_segments(path.segments()[..path.segments().len() - 1].to_vec());
            let port = body.and_then(|b| b.at(&port)).and_then(|p| p.as_map()?.get("port"))?;
            value_json(port)
        }
        "volumeMode"
            if matches!(kind, "PersistentVolumeClaim" | "PersistentVolume")
                || keys.contains(&"volumeClaimTemplates") =>
        {
            json!("Filesystem")
        }
        "persistentVolumeReclaimPolicy" if kind == "PersistentVolume" => json!("Retain"),
        "type" if kind == "Secret" && keys.len() == 1 => json!("Opaque"),
        "backoffLimit" if matches!(kind, "Job" | "CronJob") => json!(6),
        "completions" | "parallelism" if matches!(kind, "Job" | "CronJob") => json!(1),
        "completionMode" if matches!(kind, "Job" | "CronJob") => json!("NonIndexed"),
        "suspend" if matches!(kind, "Job" | "CronJob") => json!(false),
        "concurrencyPolicy" if kind == "CronJob" => json!("Allow"),
        "successfulJobsHistoryLimit" if kind == "CronJob" => json!(3),
        "failedJobsHistoryLimit" if kind == "CronJob" => json!(1),
        "finalizers" if kind == "Namespace" => json!(["kubernetes"]),
        _ => return None,
    })
}

/// The tag of an image reference (`nginx:1.27` → `1.27`), ignoring a registry port.
pub(crate) fn image_tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':').map(|(_, tag)| tag)
}

/// The category of a change in an object of `kind` at `path`.
pub(crate) fn category(kind: &str, path: &Path) -> Option<Category> {
    let keys = keys(path);
    let last = keys.last().copied().unwrap_or_default();
    if keys.iter().any(|k| is_certificate_key(k)) {
        return Some(Category::Certificate);
    }
    if kind == "Secret" {
        return Some(Category::Secret);
    }
    if last == "image" && keys.iter().any(|k| k.ends_with("ontainers")) {
        return Some(Category::Image);
    }
    if last == "replicas" || kind == "HorizontalPodAutoscaler" {
        return Some(Category::Replicas);
    }
    if keys.contains(&"resources") || matches!(kind, "ResourceQuota" | "LimitRange") {
        return Some(Category::Resources);
    }
    if matches!(kind, "NetworkPolicy" | "Ingress" | "IngressClass" | "Gateway" | "HTTPRoute")
        || (kind == "Service" && keys.first() == Some(&"spec"))
        || keys.contains(&"ports")
    {
        return Some(Category::Network);
    }
    if matches!(kind, "PersistentVolumeClaim" | "PersistentVolume" | "StorageClass")
        || keys.iter().any(|k| matches!(*k, "volumes" | "volumeMounts" | "volumeClaimTemplates"))
    {
        return Some(Category::Storage);
    }
    None
}

/// Data keys that hold certificates (`tls.crt`, `ca.crt`, `bundle.pem`).
fn is_certificate_key(key: &str) -> bool {
    key.ends_with(".crt") || key.ends_with(".pem") || key.ends_with(".cert")
}

/// Whether a node is a certificate as the source reads it (or a chain of them).
pub(crate) fn is_certificate(node: &Node) -> bool {
    match node {
        Node::Map(map) => map.get("not_after").is_some() && map.get("subject").is_some(),
        Node::List(list) => !list.items().is_empty() && list.items().iter().all(is_certificate),
        _ => false,
    }
}

/// A production certificate that has expired or expires within `days`: the rule, severity and
/// message. `now` is an RFC 3339 UTC time, like the certificate's `not_after`.
pub(crate) fn certificate(
    name: &str,
    node: &Node,
    env: &str,
    now: &str,
    soon: &str,
    days: u32,
) -> Option<(RuleId, Severity, String)> {
    let certs: Vec<&Node> = match node {
        Node::List(list) => list.items().iter().collect(),
        other => vec![other],
    };
    // The leaf (first) certificate decides; a chain's CA certificates outlive it.
    let leaf = certs.first()?;
    let not_after = string_at(leaf, "not_after")?;
    let subject = string_at(leaf, "subject").unwrap_or_default();
    if not_after < now {
        return Some((
            RuleId::CertificateExpired,
            Severity::Critical,
            format!("{name} in {env} ({subject}) expired on {not_after}"),
        ));
    }
    if not_after < soon {
        return Some((
            RuleId::CertificateExpiring,
            Severity::High,
            format!("{name} in {env} ({subject}) expires on {not_after}, within {days} days"),
        ));
    }
    None
}

/// The base severity of a change by category.
pub(crate) fn severity(category: Category) -> Option<Severity> {
    match category {
        Category::Image | Category::Network | Category::Certificate => Some(Severity::High),
        Category::Replicas | Category::Resources | Category::Storage => Some(Severity::Medium),
        _ => None,
    }
}

/// A failed guard on one container of a production object.
pub(crate) struct ContainerViolation {
    pub(crate) rule: RuleId,
    pub(crate) severity: Severity,
    pub(crate) message: String,
    pub(crate) field: &'static str,
}

/// Production guards on a container: a pinned image and resource limits.
pub(crate) fn container(name: &str, container: &Node, env: &str) -> Vec<ContainerViolation> {
    let mut out = Vec::new();
    if let Some(image) = string_at(container, "image") {
        let tag = image_tag(image);
        if !image.contains('@') && tag.is_none_or(|t| t == "latest") {
            let shown = if tag.is_some() { "`:latest`" } else { "no tag" };
            out.push(ContainerViolation {
                rule: RuleId::UnpinnedImage,
                severity: Severity::High,
                message: format!("container {name} in {env} runs {image} ({shown}): what runs is not what was tested"),
                field: "image",
            });
        }
    }
    let limits =
        container.as_map().and_then(|c| c.get("resources")).and_then(Node::as_map).and_then(|r| r.get("limits"));
    if limits.and_then(Node::as_map).is_none_or(|l| l.is_empty()) {
        out.push(ContainerViolation {
            rule: RuleId::MissingLimits,
            severity: Severity::Medium,
            message: format!("container {name} in {env} has no resource limits"),
            field: "resources",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags() {
        assert_eq!(image_tag("nginx"), None);
        assert_eq!(image_tag("nginx:1.27"), Some("1.27"));
        assert_eq!(image_tag("registry:5000/team/app"), None);
        assert_eq!(image_tag("registry:5000/team/app:v2"), Some("v2"));
        assert_eq!(image_tag("app@sha256:abc"), None);
    }

    #[test]
    fn categories() {
        let p = |s: &str| s.parse::<Path>().unwrap_or_default();
        assert_eq!(category("Deployment", &p("spec.template.spec.containers[name=api].image")), Some(Category::Image));
        assert_eq!(category("Deployment", &p("spec.replicas")), Some(Category::Replicas));
        assert_eq!(
            category("Deployment", &p("spec.template.spec.containers[name=api].resources.limits.cpu")),
            Some(Category::Resources)
        );
        assert_eq!(category("NetworkPolicy", &p("spec.ingress[=#abcd1234]")), Some(Category::Network));
        assert_eq!(category("PersistentVolumeClaim", &p("spec.storageClassName")), Some(Category::Storage));
        assert_eq!(category("ConfigMap", &p("data.LOG_LEVEL")), None);
    }
}
