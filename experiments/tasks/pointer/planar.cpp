// The planar pointer tasks of Vinyals et al. (2015), registered as `convex_hull` and `tsp`
// (convex_hull.cpp, tsp.cpp):
// n points uniform in the unit square (rounded to float, so that the answer and the metrics
// see the coordinates the model sees), the answer exact (geometry.h): the convex hull counter-
// clockwise from its smallest index, then the end position; or the optimal tour (Held-Karp,
// n <= 12) from city 0; above 12 cities (up to 100) the best of 8 local searches (2-opt and
// Or-opt, geometry.h: near-optimal, not proven optimal; at 20 and 50 cities its mean length is
// within 1% of the published optimal means, tests/experiments/pointer_test.cpp).
//
//   task:
//     name: tsp                 # or convex_hull
//     min_n: 10
//     max_n: 10
//     val_size: 1000
//     test_size: 1000
//     eval_lengths: [5]         # more generated test splits "n<k>"
//     start: index              # convex_hull: the answer starts at the hull point of smallest
//                               # index, or `leftmost` (smallest x): an order a model without
//                               # positions (the Transformer encoder) can know; either way
//                               # outputs are scored as polygons
//     data: {train_file: ..., test_file: ...}   # the published files (either, both or none):
//                               # a train file replaces the generated training examples, a test
//                               # file the generated test split
//
// Metrics (per split): convex_hull: error (share of hulls not exactly right, compared as
// polygons), sequence_accuracy, area_coverage (mean area of the output polygon / the hull's, over
// the outputs that are simple polygons), polygon_failure_rate (share of outputs that are not: they
// cross themselves or have fewer than 3 points; Vinyals et al. report such a model as "FAIL");
// tsp: tour_length (mean), optimality_gap (mean of length / optimal - 1), both over the valid
// decoded tours (all of them when decoding masks; 1e9 when none is valid), invalid_rate (share of
// tours that are not permutations when decoded without masks), error (share not optimal; above
// 12 cities: not the reference tour, which a model may beat: the gap is then negative).
#include "experiments/tasks/pointer/planar.h"

#include "experiments/tasks/pointer/geometry.h"

#include "experiments/tasks/algorithmic/bit_sequence.h"

#include <algorithm>

namespace engram::experiments::pointer {

namespace {

constexpr int kMaxExactTour = 12;       // Held-Karp up to here, local search above
constexpr int kMaxTour = 100;
constexpr int kTourSearchStarts = 8;

struct PlanarOptions {
  int min_n = 5, max_n = 10;
  int val_size = 1000, test_size = 1000;
  std::vector<int> eval_lengths;
  bool leftmost = false;  // hull: start at the smallest x, not at the smallest index
  std::string train_file, test_file;
};

MatD to_double(const MatF& x) { return x.cast<double>(); }

// An example from its points and (canonical) answer; a hull rotated to start at its leftmost point
// when `leftmost`.
PointerExample planar_example(Planar kind, const MatD& points, std::vector<int> answer, bool leftmost = false) {
  PointerExample e;
  e.input = points.cast<float>();
  if (kind == Planar::hull) {
    if (leftmost && !answer.empty())
      std::rotate(answer.begin(),
                  std::min_element(answer.begin(), answer.end(),
                                   [&](int a, int b) { return lexicographic_less(points, a, b); }),
                  answer.end());
    e.reference = polygon_area(points, answer);
    answer.push_back(static_cast<int>(points.rows()));  // the end position
  } else {
    e.reference = tour_length(points, answer);
  }
  e.target = std::move(answer);
  return e;
}

PointerExample generate(Planar kind, Rng& r, int n, bool leftmost) {
  MatD p(n, 2);
  for (Index i = 0; i < p.size(); ++i) p.data()[i] = static_cast<double>(static_cast<float>(r.uniform()));
  if (kind == Planar::hull) return planar_example(kind, p, convex_hull(p), leftmost);
  if (n <= kMaxExactTour) return planar_example(kind, p, optimal_tour(p));
  Rng search = r.child("tour");
  return planar_example(kind, p, local_search_tour(p, kTourSearchStarts, search));
}

class PlanarTask : public PointerTask {
 public:
  PlanarTask(Planar kind, const PlanarOptions& o, const Rng& rng)
      : PointerTask(kind == Planar::hull ? "convex_hull" : "tsp", rng), kind_(kind), o_(o) {
    const auto gen = [this](int lo, int hi) {
      return [this, lo, hi](Rng& r) {
        return generate(kind_, r, lo + static_cast<int>(r.below(static_cast<std::uint64_t>(hi - lo + 1))), o_.leftmost);
      };
    };
    if (!o_.train_file.empty()) train_ = read(o_.train_file);
    set_train_generator(gen(o_.min_n, o_.max_n));
    add_split("val", o_.val_size, gen(o_.min_n, o_.max_n));
    if (o_.test_file.empty())
      add_split("test", o_.test_size, gen(o_.min_n, o_.max_n));
    else
      add_split("test", read(o_.test_file));
    for (int n : o_.eval_lengths) add_split("n" + std::to_string(n), o_.test_size, gen(n, n));
  }

  std::uint64_t train_size() const override { return train_.size(); }  // 0: generated
  PointerExample train_example(std::uint64_t id) const override {
    return train_.empty() ? PointerTask::train_example(id) : train_[id % train_.size()];
  }
  Index input_size() const override { return 2; }
  bool permutation() const override { return kind_ == Planar::tsp; }
  bool end_token() const override { return kind_ == Planar::hull; }
  bool distinct() const override { return true; }
  bool wants_unmasked() const override { return kind_ == Planar::tsp; }
  // TSP: the closed tour's length (an output that is not a permutation: no cost).
  std::optional<double> cost(const PointerExample& e, const std::vector<int>& output) const override {
    if (kind_ != Planar::tsp || !is_permutation_of(output, e.input.rows())) return std::nullopt;
    return tour_length(to_double(e.input), output);
  }

  Metrics score(const std::vector<PointerExample>& examples, const std::vector<std::vector<int>>& outputs,
                const std::vector<std::vector<int>>& unmasked) const override {
    require(examples.size() == outputs.size() && !examples.empty(), "PlanarTask::score", "needs one output per example");
    const double count = static_cast<double>(examples.size());
    double exact = 0, a = 0, b = 0, invalid = 0, tours = 0, gaps = 0, covered = 0, crossed = 0;
    for (size_t i = 0; i < examples.size(); ++i) {
      const PointerExample& e = examples[i];
      const MatD p = to_double(e.input);
      std::vector<int> o = outputs[i];
      if (kind_ == Planar::hull) {
        if (!o.empty() && o.back() == static_cast<int>(p.rows())) o.pop_back();
        const std::vector<int> truth(e.target.begin(), e.target.end() - 1);
        exact += canonical_polygon(p, o) == canonical_polygon(p, truth);
        if (e.reference <= 0) {  // a hull of fewer than 3 points: no area to cover
          a += 1.0, covered += 1;
        } else if (is_simple_polygon(p, o)) {
          a += polygon_area(p, o) / e.reference, covered += 1;
        } else {
          crossed += 1;  // no polygon: its shoelace area would mean nothing (it can exceed the hull's)
        }
      } else {
        if (!unmasked.empty()) invalid += !is_permutation_of(unmasked[i], p.rows());
        const bool valid = is_permutation_of(o, p.rows());
        exact += valid && canonical_tour(o) == e.target;
        if (!valid) continue;  // counted by error (and invalid_rate before masking), not in the lengths
        const double length = tour_length(p, o);
        a += length, tours += 1;
        if (e.reference > 0) b += length / e.reference - 1, gaps += 1;
        }
    }
    Metrics m{{"error", 1 - exact / count}, {"sequence_accuracy", exact / count}};
    if (kind_ == Planar::hull) {
      m["area_coverage"] = covered > 0 ? a / covered : 0.0;
      m["polygon_failure_rate"] = crossed / count;
    } else {
      // over the valid decoded tours (every one when decoding masks); none valid: the sentinel 1e9
      m["tour_length"] = tours > 0 ? a / tours : 1e9;
      m["optimality_gap"] = gaps > 0 ? b / gaps : 1e9;
      if (!unmasked.empty()) m["invalid_rate"] = invalid / count;
    }
    return m;
  }

 private:
  std::vector<PointerExample> read(const std::string& path) const {
    std::vector<PointerExample> out;
    int line = 0;
    for (PointerFileLine& l : read_pointer_file(path)) {
      ++line;
      const std::string where = path + ": example " + std::to_string(line) + ": ";
      if (kind_ == Planar::tsp) {
        if (!is_permutation_of(l.answer, l.points.rows()))
          throw std::invalid_argument(where + "the tour does not visit each of the " + std::to_string(l.points.rows()) +
                                      " cities once");
        out.push_back(planar_example(kind_, l.points, canonical_tour(l.answer)));
      } else {
        std::vector<int> sorted = l.answer;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
          throw std::invalid_argument(where + "the hull repeats a point");
        out.push_back(planar_example(kind_, l.points, canonical_polygon(l.points, l.answer), o_.leftmost));
      }
    }
    return out;
  }

  Planar kind_;
  PlanarOptions o_;
  std::vector<PointerExample> train_;
};

}  // namespace

std::unique_ptr<Task> make_planar(Planar kind, Section& cfg, const Rng& rng) {
  PlanarOptions o;
  const int most = kind == Planar::tsp ? kMaxTour : 100000;
  o.min_n = static_cast<int>(cfg.integer("min_n", o.min_n, kind == Planar::tsp ? 2 : 1, most));
  o.max_n = static_cast<int>(cfg.integer("max_n", std::max(o.max_n, o.min_n), 1, most));
  if (o.max_n < o.min_n) cfg.fail("max_n", "must be >= min_n (" + std::to_string(o.min_n) + ")");
  o.val_size = static_cast<int>(cfg.integer("val_size", o.val_size, 1, 1 << 24));
  o.test_size = static_cast<int>(cfg.integer("test_size", o.test_size, 1, 1 << 24));
  o.eval_lengths = algorithmic::read_int_list(cfg, "eval_lengths", {}, 2, most);
  if (kind == Planar::hull) o.leftmost = cfg.choice("start", "index", {"index", "leftmost"}) == "leftmost";
  Section data = cfg.section("data");
  o.train_file = data.path_value("train_file", "");
  o.test_file = data.path_value("test_file", "");
  data.finish();
  cfg.finish();
  try {
    return std::make_unique<PlanarTask>(kind, o, rng);
  } catch (const std::exception& e) {  // a file's line, or an unreadable file: name the key that gave it
    const std::string msg = e.what();
    const bool test = !o.test_file.empty() && msg.find(o.test_file) != std::string::npos;
    const std::string key = test ? "test_file" : "train_file";
    throw ConfigError(data.source(key) + ": " + data.path() + "." + key + ": " + msg);
  }
}

}  // namespace engram::experiments::pointer
