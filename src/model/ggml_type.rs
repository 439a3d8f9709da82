//! The tensor types of ggml (llama.cpp, GGUF files): id, name and block layout.
//!
//! A quantised ggml tensor is stored in blocks of `block_size` weights taking `block_bytes`
//! bytes each (the `block_*` structs of `ggml/src/ggml-common.h`), so a row of n weights takes
//! n / block_size · block_bytes bytes and a weight costs 8 · block_bytes / block_size bits:
//! Q4_0 is an FP16 scale and 32 4-bit values, 18 bytes per 32 weights, 4.5 bits. Ids are the
//! `ggml_type` enum of `ggml/include/ggml.h`, as written in a GGUF file's tensor infos.
//! reference.md ("Weight formats") lists every row with its source.

use std::fmt;

/// A ggml tensor type that a GGUF file may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(non_camel_case_types)]
pub enum GgmlType {
    F32,
    F16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
    Q8_1,
    Q2_K,
    Q3_K,
    Q4_K,
    Q5_K,
    Q6_K,
    Q8_K,
    IQ2_XXS,
    IQ2_XS,
    IQ3_XXS,
    IQ1_S,
    IQ4_NL,
    IQ3_S,
    IQ2_S,
    IQ4_XS,
    I8,
    I16,
    I32,
    I64,
    F64,
    IQ1_M,
    BF16,
    TQ1_0,
    TQ2_0,
    MXFP4,
}

/// Weights per super-block of the K-quants and i-quants (`QK_K` in ggml-common.h).
const QK_K: u32 = 256;

impl GgmlType {
    /// Every type, in id order.
    pub const ALL: [GgmlType; 32] = [
        GgmlType::F32,
        GgmlType::F16,
        GgmlType::Q4_0,
        GgmlType::Q4_1,
        GgmlType::Q5_0,
        GgmlType::Q5_1,
        GgmlType::Q8_0,
        GgmlType::Q8_1,
        GgmlType::Q2_K,
        GgmlType::Q3_K,
        GgmlType::Q4_K,
        GgmlType::Q5_K,
        GgmlType::Q6_K,
        GgmlType::Q8_K,
        GgmlType::IQ2_XXS,
        GgmlType::IQ2_XS,
        GgmlType::IQ3_XXS,
        GgmlType::IQ1_S,
        GgmlType::IQ4_NL,
        GgmlType::IQ3_S,
        GgmlType::IQ2_S,
        GgmlType::IQ4_XS,
        GgmlType::I8,
        GgmlType::I16,
        GgmlType::I32,
        GgmlType::I64,
        GgmlType::F64,
        GgmlType::IQ1_M,
        GgmlType::BF16,
        GgmlType::TQ1_0,
        GgmlType::TQ2_0,
        GgmlType::MXFP4,
    ];

    /// The `ggml_type` id written in GGUF tensor infos (ggml.h; 4, 5 and 31–33, 36–38 are
    /// retired and refused).
    pub fn id(self) -> u32 {
        use GgmlType::*;
        match self {
            F32 => 0,
            F16 => 1,
            Q4_0 => 2,
            Q4_1 => 3,
            Q5_0 => 6,
            Q5_1 => 7,
            Q8_0 => 8,
            Q8_1 => 9,
            Q2_K => 10,
            Q3_K => 11,
            Q4_K => 12,
            Q5_K => 13,
            Q6_K => 14,
            Q8_K => 15,
            IQ2_XXS => 16,
            IQ2_XS => 17,
            IQ3_XXS => 18,
            IQ1_S => 19,
            IQ4_NL => 20,
            IQ3_S => 21,
            IQ2_S => 22,
            IQ4_XS => 23,
            I8 => 24,
            I16 => 25,
            I32 => 26,
            I64 => 27,
            F64 => 28,
            IQ1_M => 29,
            BF16 => 30,
            TQ1_0 => 34,
            TQ2_0 => 35,
            MXFP4 => 39,
        }
    }

    /// The type of a GGUF id, `None` for an id ggml does not (or no longer) define.
    pub fn from_id(id: u32) -> Option<GgmlType> {
        GgmlType::ALL.into_iter().find(|t| t.id() == id)
    }

    /// Weights per block and bytes per block (the `block_*` structs of ggml-common.h).
    pub fn layout(self) -> (u32, u32) {
        use GgmlType::*;
        match self {
            F32 | I32 => (1, 4),
            F16 | BF16 | I16 => (1, 2),
            I8 => (1, 1),
            F64 | I64 => (1, 8),
            // d (fp16) + 16 bytes of nibbles.
            Q4_0 => (32, 18),
            // d, m (fp16) + 16 bytes.
            Q4_1 => (32, 20),
            // d + 4 bytes of high bits + 16 bytes.
            Q5_0 => (32, 22),
            // d, m + 4 + 16.
            Q5_1 => (32, 24),
            // d + 32 int8.
            Q8_0 => (32, 34),
            // d, s + 32 int8.
            Q8_1 => (32, 36),
            // scales[16] + qs[64] + d, dmin.
            Q2_K => (QK_K, 84),
            // hmask[32] + qs[64] + scales[12] + d.
            Q3_K => (QK_K, 110),
            // d, dmin + scales[12] + qs[128].
            Q4_K => (QK_K, 144),
            // d, dmin + scales[12] + qh[32] + qs[128].
            Q5_K => (QK_K, 176),
            // ql[128] + qh[64] + scales[16] + d.
            Q6_K => (QK_K, 210),
            // d (f32) + qs[256] + bsums[16] (int16).
            Q8_K => (QK_K, 292),
            // d + qs[32] (uint16).
            IQ2_XXS => (QK_K, 66),
            // d + qs[32] (uint16) + scales[8].
            IQ2_XS => (QK_K, 74),
            // d + qs[96].
            IQ3_XXS => (QK_K, 98),
            // d + qs[32] + qh[8] (uint16).
            IQ1_S => (QK_K, 50),
            // d + qs[16].
            IQ4_NL => (32, 18),
            // d + qs[64] + qh[8] + signs[32] + scales[4].
            IQ3_S => (QK_K, 110),
            // d + qs[64] + qh[8] + scales[8].
            IQ2_S => (QK_K, 82),
            // d + scales_h (uint16) + scales_l[4] + qs[128].
            IQ4_XS => (QK_K, 136),
            // qs[32] + qh[16] + scales[8].
            IQ1_M => (QK_K, 56),
            // qs[48] + qh[4] + d.
            TQ1_0 => (QK_K, 54),
            // qs[64] + d.
            TQ2_0 => (QK_K, 66),
            // e (E8M0) + qs[16].
            MXFP4 => (32, 17),
        }
    }

    /// Weights per block.
    pub fn block_size(self) -> u32 {
        self.layout().0
    }

    /// Effective bits per weight: 8 · bytes per block / weights per block.
    pub fn bits_per_weight(self) -> f64 {
        let (n, bytes) = self.layout();
        8.0 * bytes as f64 / n as f64
    }

    /// Bytes of a row of `n` weights, `None` when `n` is not a whole number of blocks
    /// (ggml refuses such a tensor).
    pub fn row_bytes(self, n: u64) -> Option<u64> {
        let (block, bytes) = self.layout();
        n.is_multiple_of(block as u64)
            .then(|| n / block as u64 * bytes as u64)
    }

    /// Stores a quantised block layout (not a plain float or integer element).
    pub fn is_quantized(self) -> bool {
        self.block_size() > 1
    }

    /// Name as ggml prints it ("Q4_K", "IQ4_XS", "F16").
    pub fn name(self) -> &'static str {
        use GgmlType::*;
        match self {
            F32 => "F32",
            F16 => "F16",
            Q4_0 => "Q4_0",
            Q4_1 => "Q4_1",
            Q5_0 => "Q5_0",
            Q5_1 => "Q5_1",
            Q8_0 => "Q8_0",
            Q8_1 => "Q8_1",
            Q2_K => "Q2_K",
            Q3_K => "Q3_K",
            Q4_K => "Q4_K",
            Q5_K => "Q5_K",
            Q6_K => "Q6_K",
            Q8_K => "Q8_K",
            IQ2_XXS => "IQ2_XXS",
            IQ2_XS => "IQ2_XS",
            IQ3_XXS => "IQ3_XXS",
            IQ1_S => "IQ1_S",
            IQ4_NL => "IQ4_NL",
            IQ3_S => "IQ3_S",
            IQ2_S => "IQ2_S",
            IQ4_XS => "IQ4_XS",
            I8 => "I8",
            I16 => "I16",
            I32 => "I32",
            I64 => "I64",
            F64 => "F64",
            IQ1_M => "IQ1_M",
            BF16 => "BF16",
            TQ1_0 => "TQ1_0",
            TQ2_0 => "TQ2_0",
            MXFP4 => "MXFP4",
        }
    }
}

impl fmt::Display for GgmlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_retired_ids_are_refused() {
        for t in GgmlType::ALL {
            assert_eq!(GgmlType::from_id(t.id()), Some(t));
        }
        for retired in [4, 5, 31, 32, 33, 36, 37, 38, 40] {
            assert_eq!(GgmlType::from_id(retired), None);
        }
    }
}
