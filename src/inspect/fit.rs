//! Memory fit: the model's weights plus a KV-cache allowance against the devices of the
//! platforms the app targets. Apple publishes no per-device memory limits; the figures are
//! the community estimates and Apple guidance of facts P1-P8 (`facts-2026-11.md`), and the
//! output says so.

use serde::Serialize;

use super::{Inspection, ModelType};

/// The context length the KV-cache allowance is sized for.
pub const CONTEXT_TOKENS: u64 = 4096;
/// Bytes per cached key or value element (fp16, the usual cache precision).
const KV_BYTES: u64 = 2;

const GB: u64 = 1_000_000_000;

/// What the model needs in memory, and whether that fits each device tier.
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    pub weights_bytes: u64,
    /// 2 (keys and values) x layers x KV heads x head size x context x 2 bytes; `null` when
    /// the files do not give the attention shape, or the model has no KV cache.
    pub kv_cache_bytes: Option<u64>,
    pub context_tokens: Option<u64>,
    pub total_bytes: u64,
    pub basis: &'static str,
    pub devices: Vec<DeviceFit>,
    /// The model runs inside an app extension (`--needs app-extension`): `devices` are then
    /// the kinds of extension and their reported memory ceilings, not whole devices.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub app_extension: bool,
    /// Target platforms with no memory figures (Apple Watch, Apple TV, Linux), and
    /// `older-iphones`: the iPhones before the 8 GB ones, which iOS still runs on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_estimated: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeviceFit {
    pub tier: &'static str,
    pub devices: &'static str,
    pub ram_gb: Option<u64>,
    pub verdict: Verdict,
    /// What an app gets without the Increased Memory Limit entitlement (estimate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_bytes: Option<u64>,
    /// With the entitlement (estimate; a hint to the OS, not a guarantee).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entitlement_limit_bytes: Option<u64>,
    /// Macs: the least memory that leaves Apple's advised headroom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ram_gb: Option<u64>,
    pub source: &'static str,
}

impl DeviceFit {
    /// A row with no figures yet: each kind of row adds the limits it knows.
    fn new(
        tier: &'static str,
        devices: &'static str,
        verdict: Verdict,
        source: &'static str,
    ) -> Self {
        DeviceFit {
            tier,
            devices,
            ram_gb: None,
            verdict,
            limit_bytes: None,
            entitlement_limit_bytes: None,
            min_ram_gb: None,
            source,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Fits,
    NeedsEntitlement,
    TooLarge,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Fits => "fits",
            Verdict::NeedsEntitlement => "needs the increased-memory-limit entitlement",
            Verdict::TooLarge => "too large",
        }
    }
}

pub const BASIS: &str = "Community estimates: Apple publishes no per-device memory limits or \
RAM sizes (facts P2, P3); a model that loads can still be killed on its first inference (P8), \
so test on the smallest device you support and check os_proc_available_memory() (P1, P6)";

/// The answer that puts a model inside an app extension: `needs` includes `app-extension`.
pub const EXTENSION_ANSWER: (&str, &str) = ("needs", "app-extension");

/// What an extension's ceilings are, and why they are not a device's limits.
pub const EXTENSION_BASIS: &str = "Reported ceilings: Apple publishes no memory limits for app \
extensions (fact V1), the extension's own code and data count against them too, and a 400 KB \
Core ML model has been killed in a network extension (V4), so measure with \
os_proc_available_memory() inside the extension on the oldest device you support";

const MB: u64 = 1_000_000;

/// A kind of app extension and the lowest memory ceiling reported for it (facts V2, V3).
struct Ceiling {
    id: &'static str,
    kinds: &'static str,
    limit: u64,
    source: &'static str,
}

const EXTENSIONS: [Ceiling; 4] = [
    Ceiling {
        id: "notification-service-extension",
        kinds: "Notification service extensions",
        limit: 24 * MB,
        source: "V2 (crash logs: 24 MB)",
    },
    Ceiling {
        id: "widget-extension",
        kinds: "Widgets and Siri intents extensions",
        limit: 30 * MB,
        source: "V2 (crash logs and a forum answer: 30 MB)",
    },
    Ceiling {
        id: "keyboard-extension",
        kinds: "Custom keyboards",
        limit: 48 * MB,
        source: "V3 (killed at about 48-60 MB; the low end is used)",
    },
    Ceiling {
        id: "share-extension",
        kinds: "Share extensions",
        limit: 110 * MB,
        source: "V3 (about 120 MB: 110 MB measured on an iPhone SE 2, 180 MB on recent Pro \
                 iPhones; the low end is used)",
    },
];

/// An iPhone/iPad/Vision Pro tier: limits without and with the entitlement.
struct Tier {
    id: &'static str,
    devices: &'static str,
    ram_gb: u64,
    limit: u64,
    entitlement_limit: u64,
    source: &'static str,
}

const IPHONE_8GB: Tier = Tier {
    id: "iphone-8gb",
    devices: "iPhone 15 Pro and Pro Max, iPhone 16 family and 16e, iPhone 17 and 17e",
    ram_gb: 8,
    limit: 2 * GB,
    entitlement_limit: 3_850_000_000,
    source: "P3 (RAM); P6 (Apple's under-2 GB guidance for iOS models, the only figure for \
             these devices without the entitlement); P8 (a 3.85 GB allocation failed on an \
             8 GB device, so the entitlement's reach ends below it)",
};

const IPHONE_12GB: Tier = Tier {
    id: "iphone-12gb",
    devices: "iPhone 17 Pro and Pro Max, iPhone Air, iPad Air M4",
    ram_gb: 12,
    limit: 3_300_000_000,
    entitlement_limit: 6 * GB,
    source: "P3 (RAM); P2 (about 3.3 GB without the entitlement and 6-8 GB with it on a 12 GB \
             iPhone; the low end is used)",
};

const VISION_PRO: Tier = Tier {
    id: "vision-pro",
    devices: "Apple Vision Pro",
    ram_gb: 16,
    limit: 2 * GB,
    // The community fallback: RAM - 1 GB - a 512 MiB reserve.
    entitlement_limit: 16 * GB - GB - 512 * 1024 * 1024,
    source: "P3 (RAM); P1 (entitlement from visionOS 2.5); P6 (Apple's 2 GB guidance, no \
             visionOS figure without the entitlement); P2 (fallback budget RAM - 1 GB - 512 MiB)",
};

/// Apple's advice for Core AI on the Mac: leave at least 6 GB of headroom (P6).
const MAC_HEADROOM: u64 = 6 * GB;

/// Several models' fits counted together, as an app that loads them all needs them: the sum of
/// their weights and cache allowances against the same device tiers. `None` for fewer than two.
pub fn together(fits: &[&Fit], platforms: &[&str]) -> Option<Fit> {
    if fits.len() < 2 {
        return None;
    }
    let weights = fits
        .iter()
        .fold(0u64, |a, f| a.saturating_add(f.weights_bytes));
    let kv = fits
        .iter()
        .filter_map(|f| f.kv_cache_bytes)
        .reduce(u64::saturating_add);
    // One context length when every cache is sized for the same one.
    let mut contexts = fits.iter().filter_map(|f| f.context_tokens);
    let context = contexts
        .next()
        .filter(|&first| contexts.all(|c| c == first));
    Some(on_devices(weights, kv, context, platforms))
}

/// The fit of `found` on the devices of `platforms` (option ids of the `platform` question).
/// `None` when the files give no size. `app_extension`: the model runs inside an app
/// extension, whose ceilings it is then judged against instead of the devices'.
pub fn fit(found: &Inspection, platforms: &[&str], app_extension: bool) -> Option<Fit> {
    let weights = found.weight_bytes?;
    let generative = matches!(found.model_type, Some(ModelType::Llm | ModelType::Vlm));
    let (kv, context) = match (generative, found.attention) {
        (true, Some(a)) => {
            let context = a
                .max_context
                .map_or(CONTEXT_TOKENS, |m| m.clamp(1, CONTEXT_TOKENS));
            let kv = [2, a.layers, a.kv_heads, a.head_dim, context, KV_BYTES]
                .iter()
                .try_fold(1u64, |acc, &x| acc.checked_mul(x));
            (kv, Some(context))
        }
        _ => (None, None),
    };
    if app_extension {
        return Some(in_extensions(weights, kv, context));
    }
    Some(on_devices(weights, kv, context, platforms))
}

/// `weights` and a cache allowance against each kind of extension's reported ceiling.
fn in_extensions(weights: u64, kv: Option<u64>, context: Option<u64>) -> Fit {
    let total = weights.saturating_add(kv.unwrap_or(0));
    let devices = EXTENSIONS
        .iter()
        .map(|c| {
            let verdict = if total <= c.limit {
                Verdict::Fits
            } else {
                Verdict::TooLarge
            };
            DeviceFit {
                limit_bytes: Some(c.limit),
                ..DeviceFit::new(c.id, c.kinds, verdict, c.source)
            }
        })
        .collect();
    Fit {
        weights_bytes: weights,
        kv_cache_bytes: kv,
        context_tokens: context,
        total_bytes: total,
        basis: EXTENSION_BASIS,
        devices,
        app_extension: true,
        not_estimated: Vec::new(),
    }
}

/// `weights` and a cache allowance against the device tiers of `platforms`.
fn on_devices(weights: u64, kv: Option<u64>, context: Option<u64>, platforms: &[&str]) -> Fit {
    let total = weights.saturating_add(kv.unwrap_or(0));
    let mut devices = Vec::new();
    let mut not_estimated = Vec::new();
    for &p in platforms {
        match p {
            "ios" => {
                devices.push(tier(&IPHONE_8GB, total));
                devices.push(tier(&IPHONE_12GB, total));
                // The smallest iPhones an app reaches have no figures at all (issue 24).
                not_estimated.push("older-iphones");
            }
            "visionos" => devices.push(tier(&VISION_PRO, total)),
            "macos" | "intel-mac" if !devices.iter().any(|d: &DeviceFit| d.tier == "mac") => {
                devices.push(mac(total));
            }
            "watchos" => not_estimated.push("watchos"),
            "tvos" => not_estimated.push("tvos"),
            "linux" => not_estimated.push("linux"),
            _ => {}
        }
    }
    Fit {
        weights_bytes: weights,
        kv_cache_bytes: kv,
        context_tokens: context,
        total_bytes: total,
        basis: BASIS,
        devices,
        app_extension: false,
        not_estimated,
    }
}

fn tier(t: &Tier, total: u64) -> DeviceFit {
    let verdict = if total <= t.limit {
        Verdict::Fits
    } else if total < t.entitlement_limit {
        Verdict::NeedsEntitlement
    } else {
        Verdict::TooLarge
    };
    DeviceFit {
        ram_gb: Some(t.ram_gb),
        limit_bytes: Some(t.limit),
        entitlement_limit_bytes: Some(t.entitlement_limit),
        ..DeviceFit::new(t.id, t.devices, verdict, t.source)
    }
}

fn mac(total: u64) -> DeviceFit {
    DeviceFit {
        min_ram_gb: Some(total.saturating_add(MAC_HEADROOM).div_ceil(GB)),
        ..DeviceFit::new(
            "mac",
            "Macs with Apple silicon",
            Verdict::Fits,
            "P6 (Apple's Core AI guidance: at least 6 GB of headroom on macOS)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::Attention;

    fn llm(weights: u64) -> Inspection {
        Inspection {
            model_type: Some(ModelType::Llm),
            weight_bytes: Some(weights),
            attention: Some(Attention {
                layers: 16,
                kv_heads: 8,
                head_dim: 64,
                max_context: Some(131_072),
            }),
            ..Inspection::default()
        }
    }

    #[test]
    fn kv_cache_allowance_is_sized_at_the_stated_context() {
        let f = fit(&llm(GB), &["ios"], false).unwrap();
        assert_eq!(f.context_tokens, Some(4096));
        assert_eq!(f.kv_cache_bytes, Some(2 * 16 * 8 * 64 * 4096 * 2));
        assert_eq!(f.total_bytes, GB + 134_217_728);
    }

    #[test]
    fn tiers_go_from_fits_to_entitlement_to_too_large() {
        let verdicts = |w| {
            fit(&llm(w), &["ios"], false)
                .unwrap()
                .devices
                .iter()
                .map(|d| d.verdict)
                .collect::<Vec<_>>()
        };
        assert_eq!(verdicts(GB), [Verdict::Fits, Verdict::Fits]);
        assert_eq!(verdicts(3 * GB), [Verdict::NeedsEntitlement, Verdict::Fits]);
        assert_eq!(
            verdicts(4 * GB),
            [Verdict::TooLarge, Verdict::NeedsEntitlement]
        );
        assert_eq!(verdicts(9 * GB), [Verdict::TooLarge, Verdict::TooLarge]);
    }

    #[test]
    fn models_counted_together_can_need_the_entitlement_where_each_fits_alone() {
        let one = fit(&llm(GB), &["ios"], false).unwrap();
        let vision = Inspection {
            model_type: Some(ModelType::Vision),
            weight_bytes: Some(GB),
            ..Inspection::default()
        };
        let other = fit(&vision, &["ios"], false).unwrap();
        assert_eq!(one.devices[0].verdict, Verdict::Fits);
        assert_eq!(other.devices[0].verdict, Verdict::Fits);
        let both = together(&[&one, &other], &["ios"]).unwrap();
        assert_eq!(both.weights_bytes, 2 * GB);
        assert_eq!(both.kv_cache_bytes, one.kv_cache_bytes);
        assert_eq!(both.context_tokens, Some(4096));
        assert_eq!(both.total_bytes, one.total_bytes + other.total_bytes);
        assert_eq!(both.devices[0].verdict, Verdict::NeedsEntitlement);
        assert_eq!(both.devices[1].verdict, Verdict::Fits);
        assert!(together(&[&one], &["ios"]).is_none());
    }

    #[test]
    fn macs_get_the_memory_that_leaves_headroom_and_watches_no_estimate() {
        let f = fit(&llm(4_500_000_000), &["macos", "watchos"], false).unwrap();
        assert_eq!(f.devices[0].min_ram_gb, Some(11));
        assert_eq!(f.not_estimated, ["watchos"]);
        assert_eq!(
            fit(&llm(GB), &["ios"], false).unwrap().not_estimated,
            ["older-iphones"]
        );
        let vision = Inspection {
            model_type: Some(ModelType::Vision),
            weight_bytes: Some(GB),
            ..Inspection::default()
        };
        assert_eq!(fit(&vision, &["ios"], false).unwrap().kv_cache_bytes, None);
    }

    #[test]
    fn in_an_extension_the_kinds_ceilings_replace_the_devices() {
        let small = Inspection {
            model_type: Some(ModelType::Vision),
            weight_bytes: Some(40 * MB),
            ..Inspection::default()
        };
        let f = fit(&small, &["ios", "macos"], true).unwrap();
        assert!(f.app_extension);
        assert_eq!(f.basis, EXTENSION_BASIS);
        assert!(f.not_estimated.is_empty());
        let verdicts: Vec<_> = f.devices.iter().map(|d| (d.tier, d.verdict)).collect();
        assert_eq!(
            verdicts,
            [
                ("notification-service-extension", Verdict::TooLarge),
                ("widget-extension", Verdict::TooLarge),
                ("keyboard-extension", Verdict::Fits),
                ("share-extension", Verdict::Fits),
            ]
        );
        // A language model's cache counts too: 135M-class weights with their cache exceed
        // even a share extension's ceiling.
        let f = fit(&llm(70 * MB), &["ios"], true).unwrap();
        assert!(f.devices.iter().all(|d| d.verdict == Verdict::TooLarge));
    }
}
