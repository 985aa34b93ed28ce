#!/usr/bin/env bash
# Every examples/*.ini is accepted by the command its first line names ("# relax CMD --config ..."
# or "# mpiexec -n N relax CMD ..."): keys, values and sections resolve (--print-config), so an
# example cannot drift from the options it configures. The compare examples run (shortened) in
# test_cli_compare.sh; here two examples whose headers state numbers run and are held to them, at
# reduced particle counts with k-standard-error tolerances (about 6 s together).
source "$(dirname "$0")/cli_lib.sh"
: "${RELAX_SOURCE_DIR:?RELAX_SOURCE_DIR must point to the source tree}"

count=0
for example in "$RELAX_SOURCE_DIR"/examples/*.ini; do
  command=$(head -n 1 "$example" | sed -nE 's/^#.*relax ([a-z]+) --config.*/\1/p')
  if [ -z "$command" ]; then
    echo "FAIL: $example: first line does not name 'relax CMD --config'"
    failures=$((failures + 1))
    continue
  fi
  expect 0 "" -- "$command" --config "$example" --print-config
  count=$((count + 1))
done

# A printed configuration given back is the same run: every key present at its resolved value (the
# keys of other landscape types, integrators and samplers at their defaults among them) is accepted
# and resolves to the same configuration, for each command's defaults and for every example.
round_trips=0
for example in "" "$RELAX_SOURCE_DIR"/examples/*.ini; do
  for command in fp sde compare hj fb spectrum train; do
    if [ -n "$example" ]; then
      [ "$command" = "$(head -n 1 "$example" | sed -nE 's/^#.*relax ([a-z]+) --config.*/\1/p')" ] ||
        continue
      given=(--config "$example")
    else
      given=()
    fi
    printed=$("$RELAX" "$command" "${given[@]}" --print-config)
    printf '%s\n' "$printed" >printed.ini
    again=$("$RELAX" "$command" --config printed.ini --print-config 2>&1)
    if [ "$again" = "$printed" ]; then
      round_trips=$((round_trips + 1))
    else
      echo "FAIL: relax $command ${given[*]}: its printed configuration given back differs or is refused:"
      diff <(printf '%s\n' "$printed") <(printf '%s\n' "$again") | head -5
      failures=$((failures + 1))
    fi
    rm -f printed.ini
  done
done
echo "ok: $round_trips printed configurations given back resolve to themselves"
[ "$count" -ge 20 ] || { echo "FAIL: only $count examples found"; failures=$((failures + 1)); }
expect_only_files # --print-config writes nothing

# sde_gaussian100.ini claims: every coordinate is OU, mean 2 e^-t, variance 1 - (1 - 0.01) e^-2t up
# to Euler-Maruyama's O(dt). EM on OU has exact discrete moments: m_n = (1 - dt)^n m_0,
# v_{n+1} = (1 - dt)^2 v_n + 2 dt / beta. With 4000 particles every mean and variance at each of the
# 21 outputs lies within 5 standard errors (sqrt(v/N); v sqrt(2/N)) of them (2100 comparisons:
# P(any beyond 5 SE) ~ 1e-3 under the claim, and the fixed seed makes it reproducible); and the
# O(dt) distance to the continuous formula is below 2 dt.
expect 0 "wrote g100\.h5" -- sde --config "$RELAX_SOURCE_DIR/examples/sde_gaussian100.ini" \
  --sde.particles=4000 --output.file=g100.h5
check_h5 g100.h5 \
  'np.all(np.abs(f["sde/moments"][:, :100] - 2 * (1 - 0.005) ** f["sde/step"][:][:, None]) <= 5 * np.sqrt((lambda a, n: a ** (2 * n) * 0.01 + 2 * 0.005 * (1 - a ** (2 * n)) / (1 - a * a))(1 - 0.005, f["sde/step"][:].astype(float))[:, None] / 4000))' \
  'np.all(np.abs(f["sde/moments"][:, 100:200] - (lambda a, n: a ** (2 * n) * 0.01 + 2 * 0.005 * (1 - a ** (2 * n)) / (1 - a * a))(1 - 0.005, f["sde/step"][:].astype(float))[:, None]) <= 5 * np.sqrt(2 / 4000) * (lambda a, n: a ** (2 * n) * 0.01 + 2 * 0.005 * (1 - a ** (2 * n)) / (1 - a * a))(1 - 0.005, f["sde/step"][:].astype(float))[:, None])' \
  'np.all(np.abs((lambda a, n: a ** (2 * n) * 0.01 + 2 * 0.005 * (1 - a ** (2 * n)) / (1 - a * a))(1 - 0.005, f["sde/step"][:].astype(float)) - (1 - 0.99 * np.exp(-2 * f["sde/time"][:]))) <= 2 * 0.005)'
rm -f g100.h5 g100.xmf

# compare_escape.ini claims: the PDE rate lambda1 pi_b and the particles' agree within the
# particles' standard error, Kramers is 7-8 % above both. Full time (t = 250), 2000 particles
# (~800 passages, SE 3.5 %): |pde - particles| <= 3 SE (the systematic EM and lag terms, ~1 %, are
# below one SE), and Kramers / pde - 1 within the asymptotic band 0.375 / 6 +- 1/36 (Laplace's
# method; see tests/studies/test_compare.cpp, where the exact rates are computed).
expect 0 "wrote esc\.h5" -- compare --config "$RELAX_SOURCE_DIR/examples/compare_escape.ini" \
  --sde.particles=2000 --time.outputs=1 --output.file=esc.h5
check_h5 esc.h5 'f["compare/rates"].attrs["particles_passed"] > 500' \
  'abs(f["compare/rates"][0] - f["compare/rates"][1]) <= 3 * f["compare/rates"].attrs["particles_error"]' \
  'abs(f["compare/rates"][2] / f["compare/rates"][0] - 1 - 0.375 / 6) <= 1 / 36' \
  'np.all(f["compare/agree"][:] == 1)'
rm -f esc.h5 esc.xmf
expect_only_files
finish
