#!/usr/bin/python3
"""MemN2N on bAbI, engram against PyTorch: seconds per epoch of the same model, data and recipe.

    /usr/bin/python3 bench/babi/memn2n_side_by_side.py                 # task 1, 30 epochs
    /usr/bin/python3 bench/babi/memn2n_side_by_side.py --task 2 --epochs 20
    /usr/bin/python3 bench/babi/memn2n_side_by_side.py --data-dir ../shared/data/babi/en-10k --epochs 5

Both sides train the end-to-end memory network of experiments/configs/babi/memn2n.yaml (the
paper's recipe): d = 20, 3 hops, position encoding, temporal encoding, adjacent weight tying,
tied answers (logits = u K+1 against the answer rows of the last output matrix), memory 50,
random noise 0.1, linear start for 20 epochs, SGD lr 0.32 on the batch mean (0.01 on the sum),
global gradient-norm clip 1.25, lr halved every 25 epochs, batches of 32. An "epoch" is
ceil(train / batch) steps of exactly `batch` questions drawn from a fresh permutation of the
training questions per pass, as engram's trainer draws them (29 steps = 928 questions for the
900 training questions of a 1k task).

engram runs `engram run experiments/configs/babi/memn2n.yaml` with the recipe passed as
overrides (so the two sides read their sizes from one place: RECIPE below), at each thread count
of --engram-threads. Its time is the trainer's (summary.json "seconds"): the training steps plus
ONE evaluation of the val split at the end and its checkpoint writes; process start and reading
the data are outside it. PyTorch is timed the same way: the training steps plus one evaluation
of the val split at the end, with the data already in tensors; a few untimed warm-up steps on a
throw-away model come first. seconds per epoch = that time / epochs, on both sides; each side
and thread count runs --repeat times (default 3) and the fastest run counts (the 2-core machine is
shared). The ratio compares the best thread count of each side. Thread counts: engram's
trainer.threads (examples of a batch spread over a thread pool); PyTorch's torch.set_num_threads
(intra-op threads).

The PyTorch model is written for this comparison only (PyTorch is never used by engram itself):
a whole batch at a time, stories padded to [batch, memories, words], the K+1 embedding matrices
in one [K+1, vocab, d] tensor so every memory encoding is one gather, position encoding as a
precomputed weight per (sentence length, position, dim), temporal encoding as a slice of the
[K+1, rows, d] tables, padded memories masked out of the attention, random-noise layouts drawn
with tensor ops (no Python loop over examples). Python code runs once per batch.
PyTorch uses the BLAS Debian's alternatives select (install libopenblas0-pthread:
`scripts/setup --bench`); the report prints it.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from machine import blas_in_use, cpu_line  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
CONFIG = os.path.join(REPO, "experiments", "configs", "babi", "memn2n.yaml")

# The recipe of experiments/configs/babi/memn2n.yaml, given to engram as overrides and read by
# the PyTorch model: both sides take their sizes from here.
RECIPE = {
    "dim": 20,
    "hops": 3,
    "memory_size": 50,
    "val_fraction": 0.1,
    "random_noise": 0.1,
    "linear_start_epochs": 20,
    "init_stddev": 0.1,
    "batch": 32,
    "lr": 0.32,            # on the batch mean (= 0.01 on the batch sum)
    "clip_norm": 1.25,     # on the batch mean's gradient (= 40 on the sum)
    "lr_every_epochs": 25,
    "lr_gamma": 0.5,
}


def engram_overrides(task, epochs, threads, data_dir, steps):
    r = RECIPE
    return [
        f"task.data.dir={data_dir}", f"task.task={task}", f"task.memory_size={r['memory_size']}",
        f"task.val_fraction={r['val_fraction']}",
        "model.name=memn2n", f"model.dim={r['dim']}", f"model.hops={r['hops']}", "model.encoding=pe",
        "model.temporal=true", "model.tying=adjacent", "model.answer=tied",
        f"model.linear_start_epochs={r['linear_start_epochs']}", f"model.random_noise={r['random_noise']}",
        f"model.init_stddev={r['init_stddev']}",
        f"trainer.epochs={epochs}", f"trainer.batch={r['batch']}", f"trainer.threads={threads}",
        f"trainer.clip_norm={r['clip_norm']}", "trainer.optimizer.name=sgd", f"trainer.optimizer.lr={r['lr']}",
        "trainer.schedule.name=step", f"trainer.schedule.every={r['lr_every_epochs']}",
        f"trainer.schedule.gamma={r['lr_gamma']}", "trainer.schedule.unit=epoch",
        # one evaluation (and checkpoint) at the end, one train/loss record
        f"trainer.eval_every={steps}", f"trainer.log_every={steps}",
    ]


# ---- bAbI, read the way experiments/tasks/babi/reader.cpp reads it ---------------------------

def tokenize(text):
    """Lower-case words: letters, digits, ' and - make words; . and ? are dropped; any other
    punctuation mark is a word of its own (experiments/tasks/babi/babi.h)."""
    words, cur = [], []
    for c in text.lower():
        if c.isalnum() or c in "'-":
            cur.append(c)
            continue
        if cur:
            words.append("".join(cur))
            cur = []
        if not c.isspace() and c not in ".?":
            words.append(c)
    if cur:
        words.append("".join(cur))
    return words


def read_questions(path):
    """(story sentences, question words, answer) per question; the story is the statements
    since the last id 1, oldest first."""
    out, story = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            ident, rest = line.split(" ", 1)
            if int(ident) == 1:
                story = []
            if "\t" in rest:
                q, a, _ = rest.split("\t")
                out.append((list(story), tokenize(q), a.strip()))
            else:
                story.append(tokenize(rest))
    return out


def task_file(data_dir, task):
    names = [n for n in os.listdir(data_dir) if n.startswith(f"qa{task}_") and n.endswith("_train.txt")]
    if len(names) != 1:
        sys.exit(f"memn2n_side_by_side: expected one qa{task}_*_train.txt in {data_dir}, found {names}")
    return os.path.join(data_dir, names[0])


class Data:
    """The task as padded tensors. Stories keep their last memory_size sentences, oldest first,
    left-aligned: story[q, s, j] (0 = the padding word <nil>), lengths[q, s] (0 = no sentence)."""

    def __init__(self, path, seed):
        questions = read_questions(path)
        mem = RECIPE["memory_size"]
        words, answers = {"<nil>": 0}, {}
        for story, q, a in questions:
            for w in [w for s in story for w in s] + q:
                words.setdefault(w, len(words))
            answers.setdefault(a, len(answers))
        self.vocab = len(words)
        # tied answers: the row of each answer class in the last output matrix; an answer that is
        # not a word ("n,s") gets a row after the vocabulary
        self.answer_rows, extra = [], 0
        for a in answers:
            if a in words:
                self.answer_rows.append(words[a])
            else:
                self.answer_rows.append(self.vocab + extra)
                extra += 1
        self.rows = self.vocab + extra
        kept = [story[-mem:] for story, _, _ in questions]
        self.sentences = max(len(s) for s in kept)
        self.words = max([len(x) for s in kept for x in s] + [len(q) for _, q, _ in questions])
        n = len(questions)
        story = torch.zeros(n, self.sentences, self.words, dtype=torch.long)
        lengths = torch.zeros(n, self.sentences, dtype=torch.long)
        query = torch.zeros(n, self.words, dtype=torch.long)
        qlen = torch.zeros(n, dtype=torch.long)
        answer = torch.zeros(n, dtype=torch.long)
        count = torch.zeros(n, dtype=torch.long)
        for i, (st, q, a) in enumerate(questions):
            st = st[-mem:]
            count[i] = len(st)
            for s, sent in enumerate(st):
                lengths[i, s] = len(sent)
                story[i, s, :len(sent)] = torch.tensor([words[w] for w in sent])
            qlen[i] = len(q)
            query[i, :len(q)] = torch.tensor([words[w] for w in q])
            answer[i] = answers[a]
        # the same number of held-out questions as engram (round(n * val_fraction)), another draw
        n_val = max(1, min(n - 1, round(n * RECIPE["val_fraction"])))
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        val, train = perm[:n_val].sort().values, perm[n_val:].sort().values
        fields = dict(story=story, lengths=lengths, count=count, query=query, qlen=qlen, answer=answer)
        self.train = {k: v[train] for k, v in fields.items()}
        self.val = {k: v[val] for k, v in fields.items()}
        self.n_train = len(train)
        self.n_val = len(val)


def position_weights(max_words, dim):
    """[max_words + 1, max_words, dim]: row J holds l_j of a sentence of J words at positions
    j < J, l_kj = (1 - j/J) - (k/d)(1 - 2j/J) with 1-based j and k, and zeros past the end."""
    pe = torch.zeros(max_words + 1, max_words, dim)
    k = torch.arange(1, dim + 1, dtype=torch.float64) / dim
    for J in range(1, max_words + 1):
        j = torch.arange(1, J + 1, dtype=torch.float64)[:, None] / J
        pe[J, :J] = ((1 - j) - k * (1 - 2 * j)).float()
    return pe


# ---- the PyTorch MemN2N ---------------------------------------------------------------------

class MemN2N(torch.nn.Module):
    """networks/memn2n.cpp with adjacent tying, PE, temporal encoding and tied answers, batched.
    E: [K+1, rows, d] (E_0 = B = A_1, E_k = C_k = A_{k+1}), T: [K+1, temporal rows, d]."""

    def __init__(self, data, generator):
        super().__init__()
        r = RECIPE
        K, d = r["hops"], r["dim"]
        self.hops = K
        self.noise = r["random_noise"]
        self.linear = False
        trows = r["memory_size"] + math.ceil(r["random_noise"] * r["memory_size"])
        self.E = torch.nn.Parameter(torch.randn(K + 1, data.rows, d, generator=generator) * r["init_stddev"])
        self.T = torch.nn.Parameter(torch.randn(K + 1, trows, d, generator=generator) * r["init_stddev"])
        self.register_buffer("pe", position_weights(data.words, d))
        self.register_buffer("answer_rows", torch.tensor(data.answer_rows))
        # memory slots of a batch: the stories' sentences plus the most noise can insert
        self.slots = data.sentences + math.ceil(self.noise * data.sentences)

    def layout(self, count, noise):
        """Memory slot -> story sentence, right-aligned in [B, M] so that slot m has recency
        M - 1 - m (the most recent memory is temporal row 0). Returns (sentence index [B, M],
        is a sentence [B, M], is a memory [B, M]); with `noise`, between 0 and ceil(noise * n)
        empty memories at uniformly random positions among the n + blanks, as memory_layout()."""
        B, M = count.shape[0], self.slots
        pos = torch.arange(M)
        if noise:
            top = torch.ceil(count.double() * self.noise).long()
            blanks = (torch.rand(B) * (top + 1).double()).long()          # uniform in [0, top]
        else:
            blanks = torch.zeros_like(count)
        total = count + blanks
        memory = pos[None, :] >= (M - total)[:, None]                      # [B, M]
        if noise:
            keys = torch.rand(B, M).masked_fill(~memory, 2.0)
            rank = keys.argsort(1).argsort(1)                              # rank among the memories
            sentence = memory & (rank >= blanks[:, None])
        else:
            sentence = memory
        index = (sentence.cumsum(1) - 1).clamp(min=0)                      # [B, M] into the story
        return index, sentence, memory

    def forward(self, b, noise):
        M = self.slots
        index, sentence, memory = self.layout(b["count"], noise)
        ids = b["story"].gather(1, index[:, :, None].expand(-1, -1, b["story"].shape[2]))   # [B, M, J]
        lengths = b["lengths"].gather(1, index) * sentence                                 # [B, M]
        w = self.pe[lengths]                                                               # [B, M, J, d]
        # every memory of every table at once: [K+1, B, M, J, d] -> K+1 times [B, M, d]
        m = ((self.E[:, ids] * w).sum(3) + self.T[:, :M].flip(1)[:, None]).unbind(0)
        u = (self.E[0][b["query"]] * self.pe[b["qlen"]]).sum(1)                          # [B, d]
        for k in range(1, self.hops + 1):
            s = torch.bmm(m[k - 1], u[:, :, None]).squeeze(2)                             # [B, M]
            p = s.masked_fill(~memory, 0.0) if self.linear else F.softmax(s.masked_fill(~memory, -math.inf), 1)
            u = u + torch.bmm(p[:, None, :], m[k]).squeeze(1)                              # [B, d]
        return u @ self.E[self.hops][self.answer_rows].t()                                 # [B, answers]


def batches(n, batch, steps, generator):
    """Step s takes positions s*batch .. s*batch+batch-1 of the concatenated per-pass permutations."""
    passes = (steps * batch + n - 1) // n
    order = torch.cat([torch.randperm(n, generator=generator) for _ in range(passes)])
    return order[: steps * batch].view(steps, batch)


def train_torch(data, epochs, threads, seed, warmup=True):
    torch.set_num_threads(threads)
    r = RECIPE
    per_epoch = (data.n_train + r["batch"] - 1) // r["batch"]
    steps = epochs * per_epoch

    def run(n_steps):
        torch.manual_seed(seed)
        g = torch.Generator().manual_seed(seed)
        model = MemN2N(data, g)
        opt = torch.optim.SGD(model.parameters(), lr=r["lr"])
        order = batches(data.n_train, r["batch"], n_steps, g)
        t0 = time.perf_counter()
        for step in range(n_steps):
            epoch = step // per_epoch
            model.linear = epoch < r["linear_start_epochs"]
            for group in opt.param_groups:
                group["lr"] = r["lr"] * r["lr_gamma"] ** (epoch // r["lr_every_epochs"])
            b = {k: v[order[step]] for k, v in data.train.items()}
            loss = F.cross_entropy(model(b, noise=True), b["answer"])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), r["clip_norm"])
            opt.step()
        with torch.no_grad():
            logits = model(data.val, noise=False)
            error = (logits.argmax(1) != data.val["answer"]).double().mean().item()
        return time.perf_counter() - t0, error, loss.item()

    if warmup:
        run(min(steps, 10))
    seconds, error, loss = run(steps)
    return seconds / epochs, error, loss


def run_engram(binary, task, epochs, threads, data_dir, n_train):
    steps = epochs * ((n_train + RECIPE["batch"] - 1) // RECIPE["batch"])
    with tempfile.TemporaryDirectory(prefix="engram-bench-") as tmp:
        out = os.path.join(tmp, "run")
        cmd = [binary, "run", CONFIG, *engram_overrides(task, epochs, threads, data_dir, steps), "--out", out,
               "--no-progress", "--runs-root", tmp]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"memn2n_side_by_side: engram failed ({p.returncode}):\n{' '.join(cmd)}\n{p.stderr}")
        with open(os.path.join(out, "summary.json")) as f:
            s = json.load(f)
    if s["steps"] != steps:
        sys.exit(f"memn2n_side_by_side: engram ran {s['steps']} steps, expected {steps}")
    return s["seconds"] / epochs, s["final"]["val/error"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--task", type=int, default=1, help="bAbI task 1..20 (default 1)")
    ap.add_argument("--epochs", type=int, default=30,
                    help="epochs on both sides (default 30: 20 of linear start, then 10 with the softmax)")
    ap.add_argument("--data-dir", default=os.path.normpath(os.path.join(REPO, "..", "shared", "data", "babi", "en")),
                    help="folder of the qaN_*_train.txt files (default ../shared/data/babi/en)")
    ap.add_argument("--engram", default=os.path.join(REPO, "build", "experiments", "engram"), help="the engram binary")
    ap.add_argument("--engram-threads", default="1,2", help="trainer.threads values (default 1,2)")
    ap.add_argument("--torch-threads", default="1,2", help="torch.set_num_threads values (default 1,2)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per side and thread count; the fastest counts (default 3)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="also write the figures here (scripts/bench)")
    a = ap.parse_args()
    data_dir = os.path.abspath(a.data_dir)
    if not os.access(a.engram, os.X_OK):
        sys.exit(f"memn2n_side_by_side: no engram binary at {a.engram}; build it (scripts/build engram) or pass --engram")
    path = task_file(data_dir, a.task)
    data = Data(path, a.seed)

    load = os.getloadavg()[0]
    rows = []  # (side, threads, best s/epoch over the repeats, val error of that run)
    for t in [int(x) for x in a.engram_threads.split(",")]:
        runs = [run_engram(a.engram, a.task, a.epochs, t, data_dir, data.n_train) for _ in range(a.repeat)]
        rows.append(("engram", t, *min(runs)))
    for t in [int(x) for x in a.torch_threads.split(",")]:
        runs = [train_torch(data, a.epochs, t, a.seed)[:2] for _ in range(a.repeat)]
        rows.append(("pytorch", t, *min(runs)))

    print(f"MemN2N bAbI task {a.task} ({os.path.basename(path)}): {data.n_train} train / {data.n_val} val questions, "
          f"{a.epochs} epochs of {(data.n_train + RECIPE['batch'] - 1) // RECIPE['batch']} steps x {RECIPE['batch']}, "
          f"d={RECIPE['dim']}, {RECIPE['hops']} hops, memory {RECIPE['memory_size']}")
    print(f"torch {torch.__version__}, BLAS: {blas_in_use()}")
    print(f"machine: {cpu_line()}; load average {load:.2f} at the start (a busy machine slows the 2-thread rows most)")
    print(f"time = training steps + one final val evaluation; s/epoch = time / epochs; fastest of {a.repeat} runs")
    print()
    print(f"{'':8} {'threads':>7} {'s/epoch':>10} {'ms/step':>8} {'val error':>9}")
    steps_per_epoch = (data.n_train + RECIPE["batch"] - 1) // RECIPE["batch"]
    for name, t, spe, err in rows:
        print(f"{name:8} {t:>7} {spe:>10.4f} {1000 * spe / steps_per_epoch:>8.3f} {err:>9.3f}")
    best_e = min((r for r in rows if r[0] == "engram"), key=lambda r: r[2])
    best_t = min((r for r in rows if r[0] == "pytorch"), key=lambda r: r[2])
    print()
    steps = steps_per_epoch * a.epochs
    shown = " ".join(engram_overrides(a.task, a.epochs, "T", data_dir, steps))
    print(f"engram command (T = threads): {os.path.relpath(a.engram)} run {os.path.relpath(CONFIG)} {shown} "
          "--out <tmp> --no-progress --runs-root <tmp>")
    print(f"best vs best: pytorch ({best_t[1]} thread{'s' if best_t[1] > 1 else ''}) / engram ({best_e[1]} "
          f"thread{'s' if best_e[1] > 1 else ''}) = {best_t[2] / best_e[2]:.1f}x  (target: >= 15x)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"task": a.task, "epochs": a.epochs, "engram_s_per_epoch": best_e[2], "engram_threads": best_e[1],
                       "torch_s_per_epoch": best_t[2], "torch_threads": best_t[1], "ratio": best_t[2] / best_e[2],
                       "rows": [list(r) for r in rows]}, f, indent=2)


if __name__ == "__main__":
    main()
