// The random-number kernels (docs/theory.md). This one file is compiled with -O3 -fopenmp-simd
// -fno-math-errno -ffp-contract=off (sde/CMakeLists.txt): loops vectorize, but every operation
// stays a correctly rounded IEEE operation, so a value has the same bits in a vector lane, in a
// scalar evaluation and on any x86-64 (no FMA contraction, no fast-math reassociation). That is
// why log, cos and sin are relax's own polynomials rather than glibc's vector math library:
// libmvec's SSE, AVX2 and AVX-512 variants and scalar libm may round differently, so a particle's
// normal would depend on the lane it lands in and on the CPU of the run (and GCC calls libmvec
// only under -ffast-math). cos and sin come from one exact reduction of 2 pi u, so there is no
// sincos fusion to avoid. Kernels work on fixed chunks of `chunk` counters, a whole
// number of vectors on every ISA, and a short block is padded rather than finished by a remainder
// loop. Philox runs in 64-bit lanes with the even-lane multiply (pmuludq) written out for AVX2 and
// AVX-512. No -march: each kernel is compiled for x86-64, x86-64-v3 (AVX2) and x86-64-v4
// (AVX-512) through target attributes, and the best level the CPU runs is picked at run time
// (SimdLevel, __builtin_cpu_supports), so one build runs, with the same bits, on any x86-64;
// other architectures get the portable loops.
#include "sde/rng.hpp"

#include <algorithm>
#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__)
#define RELAX_RNG_X86 1
#include <immintrin.h>
#define RELAX_AVX2 __attribute__((target("arch=x86-64-v3")))
#define RELAX_AVX512 __attribute__((target("arch=x86-64-v4")))
#else
#define RELAX_RNG_X86 0
#endif

namespace relax {

namespace {

constexpr std::size_t chunk = 64; // counters per kernel call
constexpr int philox_rounds = 10;
constexpr std::uint32_t philox_m0 = 0xD2511F53U;
constexpr std::uint32_t philox_m1 = 0xCD9E8D57U;
constexpr std::uint32_t philox_w0 = 0x9E3779B9U; // key schedule (golden ratio)
constexpr std::uint32_t philox_w1 = 0xBB67AE85U; // key schedule (sqrt 3 - 1)

/// Philox outputs of `chunk` consecutive counters, word-major: word[j][i] is word j of counter i.
struct alignas(64) Words {
  std::uint32_t word[4][chunk];
};

struct Counter {
  std::uint32_t key0;
  std::uint32_t key1;
  std::uint64_t first_id;
  std::uint32_t step;
  std::uint32_t draw;
};

/// The bits of a float as an integer of the same width and back (std::bit_cast of C++20).
template <typename To, typename From> To bit_cast(From from) {
  static_assert(sizeof(To) == sizeof(From));
  To to{};
  std::memcpy(&to, &from, sizeof to);
  return to;
}

// ---- Philox4x32-10 on a chunk of counters (id, id + 1, ...), same step and draw.

void philox_portable(const Counter& c, Words& out) {
#pragma omp simd
  for (std::size_t i = 0; i < chunk; ++i) {
    const std::uint64_t id = c.first_id + i;
    std::uint32_t x0 = static_cast<std::uint32_t>(id);
    std::uint32_t x1 = static_cast<std::uint32_t>(id >> 32);
    std::uint32_t x2 = c.step;
    std::uint32_t x3 = c.draw;
    std::uint32_t k0 = c.key0;
    std::uint32_t k1 = c.key1;
    for (int r = 0; r < philox_rounds; ++r) {
      const std::uint64_t p0 = std::uint64_t{philox_m0} * x0;
      const std::uint64_t p1 = std::uint64_t{philox_m1} * x2;
      x0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1 ^ k0;
      x2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3 ^ k1;
      x1 = static_cast<std::uint32_t>(p1);
      x3 = static_cast<std::uint32_t>(p0);
      k0 += philox_w0;
      k1 += philox_w1;
    }
    out.word[0][i] = x0;
    out.word[1][i] = x1;
    out.word[2][i] = x2;
    out.word[3][i] = x3;
  }
}

#if RELAX_RNG_X86
// One 32-bit word per 64-bit lane; only the low halves matter (pmuludq reads nothing else), so a
// round is two multiplies, two shifts and two three-way xors per vector of counters. Shifts and
// xors use GCC's generic vectors; only the multiply needs an intrinsic (the zero-masking AVX-512
// form: GCC 12's unmasked one warns from inside its own header). The two kernels are written out
// rather than shared through a template: GCC 12 turns a product of generic vectors masked to 32
// bits into vpmullq (AVX-512) or a shift-and-add sequence (AVX2), not pmuludq, and an intrinsic
// compiled for one target cannot be inlined into a template compiled for none.
using U64x4 = std::uint64_t __attribute__((vector_size(32)));
using U64x8 = std::uint64_t __attribute__((vector_size(64)));

RELAX_AVX2 void philox_avx2(const Counter& c, Words& out) {
  const auto m0 = U64x4{} + philox_m0;
  const auto m1 = U64x4{} + philox_m1;
  const auto mul = [](U64x4 x, U64x4 m) RELAX_AVX2 {
    return reinterpret_cast<U64x4>(
        _mm256_mul_epu32(reinterpret_cast<__m256i>(x), reinterpret_cast<__m256i>(m)));
  };
  // Two independent sets of 4 counters in flight (16 ymm registers hold no more without spills).
  constexpr std::size_t sets = 2;
  for (std::size_t i = 0; i < chunk; i += 4 * sets) {
    U64x4 x[sets][4];
    for (std::size_t s = 0; s < sets; ++s) {
      const U64x4 id = (U64x4{} + (c.first_id + i + 4 * s)) + U64x4{0, 1, 2, 3};
      x[s][0] = id;
      x[s][1] = id >> 32;
      x[s][2] = U64x4{} + c.step;
      x[s][3] = U64x4{} + c.draw;
    }
    std::uint32_t k0 = c.key0;
    std::uint32_t k1 = c.key1;
    for (int r = 0; r < philox_rounds; ++r) {
      for (auto& w : x) {
        const U64x4 p0 = mul(w[0], m0);
        const U64x4 p1 = mul(w[2], m1);
        w[0] = (p1 >> 32) ^ w[1] ^ k0;
        w[2] = (p0 >> 32) ^ w[3] ^ k1;
        w[1] = p1;
        w[3] = p0;
      }
      k0 += philox_w0;
      k1 += philox_w1;
    }
    for (std::size_t s = 0; s < sets; ++s) { // low halves: counters in order
      for (std::size_t j = 0; j < 4; ++j) {
        for (std::size_t lane = 0; lane < 4; ++lane) {
          out.word[j][i + 4 * s + lane] = static_cast<std::uint32_t>(x[s][j][lane]);
        }
      }
    }
  }
}

RELAX_AVX512 void philox_avx512(const Counter& c, Words& out) {
  const auto m0 = U64x8{} + philox_m0;
  const auto m1 = U64x8{} + philox_m1;
  const auto mul = [](U64x8 x, U64x8 m) RELAX_AVX512 {
    return reinterpret_cast<U64x8>(
        _mm512_maskz_mul_epu32(0xFF, reinterpret_cast<__m512i>(x), reinterpret_cast<__m512i>(m)));
  };
  // Four independent sets of 8 counters in flight: one set alone waits on the multiply's latency.
  constexpr std::size_t sets = 4;
  for (std::size_t i = 0; i < chunk; i += 8 * sets) { // chunk is a multiple of 32
    U64x8 x[sets][4];
    for (std::size_t s = 0; s < sets; ++s) {
      const U64x8 id = (U64x8{} + (c.first_id + i + 8 * s)) + U64x8{0, 1, 2, 3, 4, 5, 6, 7};
      x[s][0] = id;
      x[s][1] = id >> 32;
      x[s][2] = U64x8{} + c.step;
      x[s][3] = U64x8{} + c.draw;
    }
    std::uint32_t k0 = c.key0;
    std::uint32_t k1 = c.key1;
    for (int r = 0; r < philox_rounds; ++r) {
      for (auto& w : x) {
        const U64x8 p0 = mul(w[0], m0);
        const U64x8 p1 = mul(w[2], m1);
        w[0] = (p1 >> 32) ^ w[1] ^ k0;
        w[2] = (p0 >> 32) ^ w[3] ^ k1;
        w[1] = p1;
        w[3] = p0;
      }
      k0 += philox_w0;
      k1 += philox_w1;
    }
    for (std::size_t s = 0; s < sets; ++s) { // truncate to 32 bits: counters in order
      for (int j = 0; j < 4; ++j) {
        _mm512_mask_cvtepi64_storeu_epi32(&out.word[j][i + 8 * s], 0xFF,
                                          reinterpret_cast<__m512i>(x[s][j]));
      }
    }
  }
}
#endif

// ---- Box–Muller pieces: IEEE operations only, identical bits in every lane and every ISA.

/// log x for x in (0, 1), x normal. fdlibm's e_log.c: x = 2^k (1 + f) with 1 + f in
/// [sqrt(2)/2, sqrt(2)), log(1 + f) = f - s (f - R(s^2)) style with s = f / (2 + f); error < 1 ulp.
inline double log_unit(double x) {
  constexpr double lg1 = 6.666666666666735130e-01;
  constexpr double lg2 = 3.999999999940941908e-01;
  constexpr double lg3 = 2.857142874366239149e-01;
  constexpr double lg4 = 2.222219843214978396e-01;
  constexpr double lg5 = 1.818357216161805012e-01;
  constexpr double lg6 = 1.531383769920937332e-01;
  constexpr double lg7 = 1.479819860511658591e-01;
  constexpr double ln2_hi = 6.93147180369123816490e-01;
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  const std::uint64_t b = bit_cast<std::uint64_t>(x);
  const std::uint64_t high = b >> 32;
  const std::uint64_t mantissa = high & 0xfffff;
  const std::uint64_t up = (mantissa + 0x95f64) & 0x100000; // 1 + f >= sqrt(2): halve it
  const std::uint64_t biased_exponent = (high >> 20) + (up >> 20);
  // k exactly, without an int64 -> double conversion (none exists before AVX-512DQ)
  const double k = (bit_cast<double>(0x4330000000000000ULL | biased_exponent) - 0x1p52) - 1023.0;
  const double f =
      bit_cast<double>(((mantissa | (up ^ 0x3ff00000)) << 32) | (b & 0xffffffffULL)) - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double r = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7))) + w * (lg2 + w * (lg4 + w * lg6));
  const double hfsq = 0.5 * f * f;
  return k * ln2_hi - ((hfsq - (s * (hfsq + r) + k * ln2_lo)) - f);
}

/// cos and sin of 2 pi u for u in (0, 1). 4u = q + w exactly (q the nearest integer, |w| <= 1/2),
/// so 2 pi u = q pi/2 + x with x = w pi/2 in [-pi/4, pi/4]; fdlibm's k_sin/k_cos kernels on x, then
/// the quadrant swaps and negates them (bit operations, no branches).
inline void cos_sin_turn(double u, double& cos_out, double& sin_out) {
  constexpr double s1 = -1.66666666666666324348e-01;
  constexpr double s2 = 8.33333333332248946124e-03;
  constexpr double s3 = -1.98412698298579493134e-04;
  constexpr double s4 = 2.75573137070700676789e-06;
  constexpr double s5 = -2.50507602534068634195e-08;
  constexpr double s6 = 1.58969099521155010221e-10;
  constexpr double c1 = 4.16666666666666019037e-02;
  constexpr double c2 = -1.38888888888741095749e-03;
  constexpr double c3 = 2.48015872894767294178e-05;
  constexpr double c4 = -2.75573143513906633035e-07;
  constexpr double c5 = 2.08757232129817482790e-09;
  constexpr double c6 = -1.13596475577881948265e-11;
  constexpr double round_magic = 0x1.8p52; // v + magic rounds v to an integer, kept in low bits
  const double v = 4.0 * u;
  const double shifted = v + round_magic;
  const std::uint64_t q = bit_cast<std::uint64_t>(shifted) & 3;
  const double x = (v - (shifted - round_magic)) * 1.57079632679489661923;
  const double z = x * x;
  const double sin_x = x + (z * x) * (s1 + z * (s2 + z * (s3 + z * (s4 + z * (s5 + z * s6)))));
  const double r = z * (c1 + z * (c2 + z * (c3 + z * (c4 + z * (c5 + z * c6)))));
  const double hz = 0.5 * z;
  const double one_minus_hz = 1.0 - hz;
  const double cos_x = one_minus_hz + (((1.0 - one_minus_hz) - hz) + z * r);
  const std::uint64_t swap = 0 - (q & 1); // odd quadrant: cos <-> sin
  const std::uint64_t cb = bit_cast<std::uint64_t>(cos_x);
  const std::uint64_t sb = bit_cast<std::uint64_t>(sin_x);
  cos_out = bit_cast<double>(((cb & ~swap) | (sb & swap)) ^
                             (((q + 1) & 2) << 62)); // negative in q = 1, 2
  sin_out =
      bit_cast<double>(((sb & ~swap) | (cb & swap)) ^ ((q & 2) << 62)); // negative in q = 2, 3
}

inline void box_muller(std::uint32_t w0, std::uint32_t w1, std::uint32_t w2, std::uint32_t w3,
                       double& z_cos, double& z_sin) {
  const double r = std::sqrt(-2.0 * log_unit(CounterRng::to_open_unit(w0, w1)));
  double c = 0;
  double s = 0;
  cos_sin_turn(CounterRng::to_open_unit(w2, w3), c, s);
  z_cos = r * c;
  z_sin = r * s;
}

/// Float log on (0, 1): fdlibm's e_logf.c, the same scheme as log_unit with 4 coefficients.
inline float log_unit(float x) {
  constexpr float lg1 = 0xaaaaaa.0p-24F;
  constexpr float lg2 = 0xccce13.0p-25F;
  constexpr float lg3 = 0x91e9ee.0p-25F;
  constexpr float lg4 = 0xf89e26.0p-26F;
  constexpr float ln2_hi = 6.9313812256e-01F;
  constexpr float ln2_lo = 9.0580006145e-06F;
  const std::uint32_t b = bit_cast<std::uint32_t>(x);
  const std::uint32_t mantissa = b & 0x007fffff;
  const std::uint32_t up = (mantissa + (0x95f64 << 3)) & 0x800000;
  const float k = static_cast<float>(static_cast<std::int32_t>((b >> 23) + (up >> 23)) - 127);
  const float f = bit_cast<float>(mantissa | (up ^ 0x3f800000)) - 1.0F;
  const float s = f / (2.0F + f);
  const float z = s * s;
  const float w = z * z;
  const float r = z * (lg1 + w * lg3) + w * (lg2 + w * lg4);
  const float hfsq = 0.5F * f * f;
  return k * ln2_hi - ((hfsq - (s * (hfsq + r) + k * ln2_lo)) - f);
}

/// Float cos and sin of 2 pi u: the same exact quadrant reduction, Cephes' sinf/cosf polynomials.
inline void cos_sin_turn(float u, float& cos_out, float& sin_out) {
  constexpr float round_magic = 0x1.8p23F;
  const float v = 4.0F * u;
  const float shifted = v + round_magic;
  const std::uint32_t q = bit_cast<std::uint32_t>(shifted) & 3;
  const float x = (v - (shifted - round_magic)) * 1.57079632679489661923F;
  const float z = x * x;
  const float sin_x =
      x + x * z * (-1.6666654611e-1F + z * (8.3321608736e-3F + z * -1.9515295891e-4F));
  const float cos_x =
      (1.0F - 0.5F * z) +
      z * z * (4.166664568298827e-2F + z * (-1.388731625493765e-3F + z * 2.443315711809948e-5F));
  const std::uint32_t swap = 0U - (q & 1);
  const std::uint32_t cb = bit_cast<std::uint32_t>(cos_x);
  const std::uint32_t sb = bit_cast<std::uint32_t>(sin_x);
  cos_out = bit_cast<float>(((cb & ~swap) | (sb & swap)) ^ (((q + 1) & 2) << 30));
  sin_out = bit_cast<float>(((sb & ~swap) | (cb & swap)) ^ ((q & 2) << 30));
}

inline void box_muller(std::uint32_t w1, std::uint32_t w2, float& z_cos, float& z_sin) {
  const float r = std::sqrt(-2.0F * log_unit(CounterRng::to_open_unit(w1)));
  float c = 0;
  float s = 0;
  cos_sin_turn(CounterRng::to_open_unit(w2), c, s);
  z_cos = r * c;
  z_sin = r * s;
}

// ---- Chunk kernels: one vector loop over `chunk` lanes, row j of the output at out + j * stride.
// The loops are inlined into one wrapper per instruction-set level, where GCC vectorizes them for
// that level's registers.

#define RELAX_INLINE inline __attribute__((always_inline))

RELAX_INLINE void uniform_loop(const Words& w, double* __restrict out, std::size_t stride) {
#pragma omp simd
  for (std::size_t i = 0; i < chunk; ++i) {
    out[i] = CounterRng::to_open_unit(w.word[0][i], w.word[1][i]);
    out[stride + i] = CounterRng::to_open_unit(w.word[2][i], w.word[3][i]);
  }
}

RELAX_INLINE void log_loop(const double* __restrict u, double* __restrict out) {
#pragma omp simd
  for (std::size_t i = 0; i < chunk; ++i) {
    out[i] = log_unit(u[i]);
  }
}

RELAX_INLINE void normal_loop(const Words& w, double* __restrict out, std::size_t stride) {
#pragma omp simd
  for (std::size_t i = 0; i < chunk; ++i) {
    box_muller(w.word[0][i], w.word[1][i], w.word[2][i], w.word[3][i], out[i], out[stride + i]);
  }
}

RELAX_INLINE void normal_loop(const Words& w, float* __restrict out, std::size_t stride) {
#pragma omp simd
  for (std::size_t i = 0; i < chunk; ++i) {
    box_muller(w.word[0][i], w.word[1][i], out[i], out[stride + i]);
    box_muller(w.word[2][i], w.word[3][i], out[2 * stride + i], out[3 * stride + i]);
  }
}

/// The kernels of one instruction-set level.
struct Kernels {
  void (*philox)(const Counter&, Words&);
  void (*uniform)(const Words&, double*, std::size_t);
  void (*log)(const double*, double*);
  void (*normal_double)(const Words&, double*, std::size_t);
  void (*normal_float)(const Words&, float*, std::size_t);
};

void uniform_portable(const Words& w, double* out, std::size_t stride) {
  uniform_loop(w, out, stride);
}
void log_portable(const double* u, double* out) {
  log_loop(u, out);
}
void normal_portable(const Words& w, double* out, std::size_t stride) {
  normal_loop(w, out, stride);
}
void normal_portable(const Words& w, float* out, std::size_t stride) {
  normal_loop(w, out, stride);
}

#if RELAX_RNG_X86
RELAX_AVX2 void uniform_avx2(const Words& w, double* out, std::size_t stride) {
  uniform_loop(w, out, stride);
}
RELAX_AVX2 void log_avx2(const double* u, double* out) {
  log_loop(u, out);
}
RELAX_AVX2 void normal_avx2(const Words& w, double* out, std::size_t stride) {
  normal_loop(w, out, stride);
}
RELAX_AVX2 void normal_avx2(const Words& w, float* out, std::size_t stride) {
  normal_loop(w, out, stride);
}
RELAX_AVX512 void uniform_avx512(const Words& w, double* out, std::size_t stride) {
  uniform_loop(w, out, stride);
}
RELAX_AVX512 void log_avx512(const double* u, double* out) {
  log_loop(u, out);
}
RELAX_AVX512 void normal_avx512(const Words& w, double* out, std::size_t stride) {
  normal_loop(w, out, stride);
}
RELAX_AVX512 void normal_avx512(const Words& w, float* out, std::size_t stride) {
  normal_loop(w, out, stride);
}
#endif

Kernels kernels_for(SimdLevel level) {
  using D = void (*)(const Words&, double*, std::size_t);
  using F = void (*)(const Words&, float*, std::size_t);
#if RELAX_RNG_X86
  switch (level) {
  case SimdLevel::avx512:
    return {philox_avx512, uniform_avx512, log_avx512, static_cast<D>(normal_avx512),
            static_cast<F>(normal_avx512)};
  case SimdLevel::avx2:
    return {philox_avx2, uniform_avx2, log_avx2, static_cast<D>(normal_avx2),
            static_cast<F>(normal_avx2)};
  case SimdLevel::portable:
    break;
  }
#endif
  (void)level;
  return {philox_portable, uniform_portable, log_portable, static_cast<D>(normal_portable),
          static_cast<F>(normal_portable)};
}

/// Runs Philox and `transform` (rows values per counter) chunk by chunk. Whole chunks go straight
/// to `out`; the last, partial one through a buffer, so every lane is computed by the same loop.
template <std::size_t rows, typename Real>
void fill_rows(const Counter& first, std::size_t n, Real* out, std::size_t stride,
               void (*philox)(const Counter&, Words&),
               void (*transform)(const Words&, Real*, std::size_t)) {
  Words words;
  alignas(64) Real tail[rows * chunk];
  Counter c = first;
  for (std::size_t done = 0; done < n; done += chunk) {
    c.first_id = first.first_id + done;
    philox(c, words);
    const std::size_t count = std::min(chunk, n - done);
    if (count == chunk) {
      transform(words, out + done, stride);
      continue;
    }
    transform(words, tail, chunk);
    for (std::size_t j = 0; j < rows; ++j) {
      std::copy_n(tail + j * chunk, count, out + j * stride + done);
    }
  }
}

} // namespace

std::array<double, 2> CounterRng::log_uniform_pair(std::uint64_t id, std::uint32_t step,
                                                   std::uint32_t draw) const {
  const std::array<double, 2> u = uniform_pair(id, step, draw);
  return {log_unit(u[0]), log_unit(u[1])};
}

std::array<double, 2> CounterRng::normal_pair(std::uint64_t id, std::uint32_t step,
                                              std::uint32_t draw) const {
  const Bits b = bits(id, step, draw);
  std::array<double, 2> z{};
  box_muller(b[0], b[1], b[2], b[3], z[0], z[1]);
  return z;
}

std::array<float, 4> CounterRng::normal_quad(std::uint64_t id, std::uint32_t step,
                                             std::uint32_t draw) const {
  const Bits b = bits(id, step, draw);
  std::array<float, 4> z{};
  box_muller(b[0], b[1], z[0], z[1]);
  box_muller(b[2], b[3], z[2], z[3]);
  return z;
}

void CounterRng::uniform_pairs(std::uint64_t first_id, std::size_t n, std::uint32_t step,
                               std::uint32_t draw, double* out, std::size_t stride) const {
  const Kernels k = kernels_for(level_);
  fill_rows<2>(Counter{key_.v[0], key_.v[1], first_id, step, draw}, n, out, stride, k.philox,
               k.uniform);
}

void CounterRng::normal_pairs(std::uint64_t first_id, std::size_t n, std::uint32_t step,
                              std::uint32_t draw, double* out, std::size_t stride) const {
  const Kernels k = kernels_for(level_);
  fill_rows<2>(Counter{key_.v[0], key_.v[1], first_id, step, draw}, n, out, stride, k.philox,
               k.normal_double);
}

void CounterRng::normal_quads(std::uint64_t first_id, std::size_t n, std::uint32_t step,
                              std::uint32_t draw, float* out, std::size_t stride) const {
  const Kernels k = kernels_for(level_);
  fill_rows<4>(Counter{key_.v[0], key_.v[1], first_id, step, draw}, n, out, stride, k.philox,
               k.normal_float);
}

void log_units(std::size_t n, const double* u, double* out, SimdLevel level) {
  const Kernels k = kernels_for(level);
  alignas(64) double in_tail[chunk];
  alignas(64) double out_tail[chunk];
  for (std::size_t done = 0; done < n; done += chunk) {
    const std::size_t count = std::min(chunk, n - done);
    if (count == chunk) {
      k.log(u + done, out + done);
      continue;
    }
    std::fill_n(in_tail, chunk, 0.5); // padding: any value in (0, 1)
    std::copy_n(u + done, count, in_tail);
    k.log(in_tail, out_tail);
    std::copy_n(out_tail, count, out + done);
  }
}

SimdLevel best_simd_level() {
#if RELAX_RNG_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) {
    return SimdLevel::avx512;
  }
  if (__builtin_cpu_supports("x86-64-v3")) {
    return SimdLevel::avx2;
  }
#endif
  return SimdLevel::portable;
}

std::vector<SimdLevel> supported_simd_levels() {
  std::vector<SimdLevel> levels;
  for (const SimdLevel level : {SimdLevel::portable, SimdLevel::avx2, SimdLevel::avx512}) {
    if (level <= best_simd_level()) { // each level contains the ones below it
      levels.push_back(level);
    }
  }
  return levels;
}

std::string to_string(SimdLevel level) {
  switch (level) {
  case SimdLevel::avx512:
    return "x86-64-v4 (AVX-512)";
  case SimdLevel::avx2:
    return "x86-64-v3 (AVX2)";
  case SimdLevel::portable:
    break;
  }
  return "portable";
}

} // namespace relax
