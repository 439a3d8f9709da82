//! Writes `public/examples/synthetic-losses.csv`: losses of the published law of arXiv
//! 2602.10377 (method.md §2) on 170 architectures drawn from the paper's grid (method.md §4),
//! with 1 % multiplicative Gaussian noise and about 20 % of rows marked `test`.
//! Deterministic: `cargo run --example gen_synthetic_losses` rewrites the same bytes.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use roofscale::model::law::{ArchCounts, LawInputs, PaperLaw};
use std::fmt::Write;

const ROWS: usize = 170;
const NOISE: f64 = 0.01;
const TEST_FRACTION: f64 = 0.2;
const SEED: u64 = 2602_10377;

fn main() {
    let mut rng = SmallRng::seed_from_u64(SEED);
    let mut grid = grid();
    let law = PaperLaw::published();
    let mut out = String::from(
        "# SYNTHETIC: generated from the published law of arXiv 2602.10377 with 1% noise; not real training results\n\
         layers,hidden_size,ffn_ratio,num_attention_heads,num_key_value_heads,head_dim,experts,top_k,loss,split\n",
    );
    for _ in 0..ROWS {
        let (l, d, r, heads, kv, hd, e, k) = grid.swap_remove(rng.random_range(0..grid.len()));
        let x = LawInputs {
            layers: l as f64,
            hidden: d as f64,
            ffn_ratio: r,
            rho: k as f64 / e as f64,
            kv_width: (kv * hd) as f64,
            params: 1.0,
            tokens: 1.0,
            counts: ArchCounts::unknown(),
        };
        let loss = law.predict(&x) * (1.0 + NOISE * gaussian(&mut rng));
        let split = if rng.random_bool(TEST_FRACTION) {
            "test"
        } else {
            "train"
        };
        writeln!(
            out,
            "{l},{d},{r},{heads},{kv},{hd},{e},{k},{loss:.4},{split}"
        )
        .expect("write to string");
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/public/examples/synthetic-losses.csv"
    );
    std::fs::create_dir_all(std::path::Path::new(path).parent().expect("has a parent"))
        .expect("create folder");
    std::fs::write(path, out).expect("write the CSV");
    println!("wrote {path}");
}

/// One architecture: layers, hidden, FFN ratio, heads, KV heads, head dim, experts, top-k.
type Arch = (u32, u32, f64, u32, u32, u32, u32, u32);

/// The paper's search space (method.md §4): l ∈ {4, …, 32}, d ∈ {768, …, 3072}, (E, K),
/// n_kv ∈ {1, 2, 4, 8, n_h} dividing n_h, r ∈ {0.5, …, 4}, d_h = 128.
fn grid() -> Vec<Arch> {
    let mut out = Vec::new();
    for l in (4..=32).step_by(4) {
        for d in [768, 1024, 1280, 1536, 1792, 2048, 2304, 2560, 3072] {
            let heads = d / 128;
            let mut kvs = vec![1, 2, 4, 8, heads];
            kvs.dedup();
            for (e, k) in [(1, 1), (8, 1), (8, 2), (16, 1), (16, 2)] {
                for &kv in kvs.iter().filter(|kv| heads % **kv == 0) {
                    for r in [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0] {
                        out.push((l, d, r, heads, kv, 128, e, k));
                    }
                }
            }
        }
    }
    out
}

/// Standard normal by Box–Muller.
fn gaussian(rng: &mut SmallRng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
