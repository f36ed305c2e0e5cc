"""Reproduce one cell of Table 1 (K = 1, n = 10) and plot it (docs/python.md).

Run:  PYTHONPATH=build/python python3 python/examples/table1_cell.py
(writes table1_cell.png into the current directory). The cells below (# %%)
are the notebook cells of docs/python.md, which test_example.py keeps equal.
"""
# %% Compute the cell: the default profile of `barriers table1`, seed 0
import barriers

row = barriers.table1(cells=[(1, 10)], seed=0).rows[0]
rec = row.record()
print(f"cell K = {row.K}, n = {row.n}, working type {row.working_type}, LISTA {row.lista_flag or 'trained'}")

# %% The certified distances. Each is an Interval with exact bounds; printed
# here as the enclosing floats (repr: every digit of the double).
K_threshold = row.ten_to_minus_K  # 10^-K as an exact Fraction
print(f"separation ||x^1 - x^2||  in [{row.separation.lo_float!r}, {row.separation.hi_float!r}]")
for method in ("lista", "firenet"):
    for j, d in ((1, getattr(row, method + "_dist")), (2, getattr(row, method + "_dist_j2"))):
        published = f"   published {rec['published_' + method]}" if j == 1 else ""
        print(f"{method.upper():8s} distance to x^{j}  in [{d.lo_float!r}, {d.hi_float!r}]{published}")

# %% The theorem: both members give the same data, so for every method the
# larger of its two distances exceeds 10^-K. Checked on the exact bounds.
for method in ("lista", "firenet"):
    larger = max(getattr(row, method + "_dist").lo, getattr(row, method + "_dist_j2").lo)
    print(f"{method.upper():8s} larger distance > 10^-K = {float(K_threshold):g}: {larger > K_threshold}")

# %% Plot: one bar per method and minimiser, 10^-K as a line.
import matplotlib

matplotlib.use("Agg")  # no display needed (in Jupyter, leave this out)
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.4, 4))
bars = [("lista", "_dist", "tab:blue"), ("lista", "_dist_j2", "tab:cyan"),
        ("firenet", "_dist", "tab:red"), ("firenet", "_dist_j2", "tab:orange")]
for x, (method, suffix, colour) in enumerate(bars):
    d = getattr(row, method + suffix)
    ax.bar(x, d.hi_float, color=colour)
    ax.annotate(f"{d.mid:.4g}", (x, d.hi_float), xytext=(0, 3), textcoords="offset points", ha="center")
    if suffix == "_dist" and rec["published_" + method] is not None:
        ax.plot(x, rec["published_" + method], marker="_", markersize=40, markeredgewidth=2, color="black",
                zorder=3, label="published (to $x^1$)" if x == 0 else None)
ax.axhline(float(K_threshold), color="black", linestyle="--", label="$10^{-K}$")
ax.set_xticks(range(4), ["LISTA\nto $x^1$", "LISTA\nto $x^2$", "FIRENET\nto $x^1$", "FIRENET\nto $x^2$"])
ax.set_yscale("log")
ax.set_ylim(1e-3, 3)
ax.set_ylabel(r"certified distance $\Vert \hat{x} - x^j \Vert_2$")
ax.set_title(f"Table 1 cell K = {row.K}, n = {row.n}: the larger distance of each method exceeds $10^{{-K}}$",
             fontsize=10)
ax.legend(loc="upper right", markerscale=0.4)
fig.tight_layout()
fig.savefig("table1_cell.png", dpi=100)
