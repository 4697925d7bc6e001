"""loss.png: train and test loss against epoch, growth events as vertical lines."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def draw(ax, epochs, events, loss_name, upto=None, limits=None):
    """Curves on `ax` (also used by video frames, with `upto` and fixed `limits`)."""
    shown = [r for r in epochs if upto is None or r["epoch"] <= upto]
    train = [(r["epoch"], r["train_reconstruction"]) for r in shown if "train_reconstruction" in r]
    test = [(r["epoch"], r[f"test_{loss_name}"]) for r in shown]
    if train:
        ax.plot(*zip(*train), label=f"train {loss_name}", color="tab:blue")
    if test:
        ax.plot(*zip(*test), label=f"test {loss_name}", color="tab:orange", marker=".")
    for event in events:
        if event.get("event") == "growth" and (upto is None or event["epoch"] <= upto):
            ax.axvline(event["epoch"] - 0.5, color="gray", linestyle="--", linewidth=1)
            ax.text(event["epoch"] - 0.5, 1.0, f" depth {event['depth']}", rotation=90,
                    va="top", fontsize=7, color="gray", transform=ax.get_xaxis_transform())
    if limits:
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{loss_name} per pixel")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)


def save(path, epochs, events, loss_name, title):
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    draw(ax, epochs, events, loss_name)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
