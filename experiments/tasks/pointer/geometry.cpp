#include "experiments/tasks/pointer/geometry.h"

#include "core/fileio.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

namespace engram::experiments::pointer {

namespace {

double cross(const MatD& p, int o, int a, int b) {
  return (p(a, 0) - p(o, 0)) * (p(b, 1) - p(o, 1)) - (p(a, 1) - p(o, 1)) * (p(b, 0) - p(o, 0));
}

double signed_area(const MatD& p, const std::vector<int>& order) {
  double a = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const int u = order[i], v = order[(i + 1) % order.size()];
    a += p(u, 0) * p(v, 1) - p(v, 0) * p(u, 1);
  }
  return a / 2;
}

// Whether c lies on the segment a-b, given that the three are collinear.
bool on_segment(const MatD& p, int a, int b, int c) {
  return std::min(p(a, 0), p(b, 0)) <= p(c, 0) && p(c, 0) <= std::max(p(a, 0), p(b, 0)) &&
         std::min(p(a, 1), p(b, 1)) <= p(c, 1) && p(c, 1) <= std::max(p(a, 1), p(b, 1));
}

// Whether the closed segments a-b and c-d share a point.
bool segments_meet(const MatD& p, int a, int b, int c, int d) {
  const double d1 = cross(p, c, d, a), d2 = cross(p, c, d, b), d3 = cross(p, a, b, c), d4 = cross(p, a, b, d);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (d1 == 0 && on_segment(p, c, d, a)) || (d2 == 0 && on_segment(p, c, d, b)) ||
         (d3 == 0 && on_segment(p, a, b, c)) || (d4 == 0 && on_segment(p, a, b, d));
}

double dist(const MatD& p, int a, int b) { return std::hypot(p(a, 0) - p(b, 0), p(a, 1) - p(b, 1)); }

}  // namespace

bool lexicographic_less(const MatD& points, int a, int b) {
  return points(a, 0) < points(b, 0) || (points(a, 0) == points(b, 0) && points(a, 1) < points(b, 1));
}

std::vector<int> convex_hull(const MatD& points) {
  const int n = static_cast<int>(points.rows());
  require(n >= 1 && points.cols() == 2, "convex_hull", "needs [n x 2] points, n >= 1");
  std::vector<int> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](int a, int b) { return lexicographic_less(points, a, b); });
  if (n < 3) return canonical_polygon(points, idx);
  std::vector<int> h(2 * static_cast<size_t>(n));
  size_t k = 0;
  for (int i : idx) {  // lower chain
    while (k >= 2 && cross(points, h[k - 2], h[k - 1], i) <= 0) --k;
    h[k++] = i;
  }
  for (size_t j = idx.size() - 1, lower = k + 1; j-- > 0;) {  // upper chain
    const int i = idx[j];
    while (k >= lower && cross(points, h[k - 2], h[k - 1], i) <= 0) --k;
    h[k++] = i;
  }
  h.resize(k - 1);  // the last point is the first again
  return canonical_polygon(points, h);
}

double polygon_area(const MatD& points, const std::vector<int>& order) {
  return order.size() < 3 ? 0.0 : std::abs(signed_area(points, order));
}

bool is_simple_polygon(const MatD& points, const std::vector<int>& order) {
  const size_t k = order.size();
  if (k < 3) return false;
  std::vector<int> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return false;
  for (size_t i = 0; i < k; ++i)
    for (size_t j = i + 1; j < k; ++j) {
      const bool adjacent = j == i + 1 || (i == 0 && j == k - 1);
      const int a = order[i], b = order[(i + 1) % k], c = order[j], d = order[(j + 1) % k];
      if (adjacent) {
        // adjacent edges share one vertex; they must not fold back over each other
        const int shared = j == i + 1 ? b : a, u = j == i + 1 ? a : b, w = j == i + 1 ? d : c;
        if (cross(points, shared, u, w) == 0 &&
            (points(u, 0) - points(shared, 0)) * (points(w, 0) - points(shared, 0)) +
                    (points(u, 1) - points(shared, 1)) * (points(w, 1) - points(shared, 1)) > 0)
          return false;
      } else if (segments_meet(points, a, b, c, d)) {
        return false;
      }
    }
  return true;
}

std::vector<int> canonical_polygon(const MatD& points, std::vector<int> order) {
  if (order.empty()) return order;
  if (order.size() >= 3 && signed_area(points, order) < 0) std::reverse(order.begin(), order.end());
  std::rotate(order.begin(), std::min_element(order.begin(), order.end()), order.end());
  return order;
}

double tour_length(const MatD& points, const std::vector<int>& order) {
  double l = 0;
  for (size_t i = 0; i < order.size(); ++i) l += dist(points, order[i], order[(i + 1) % order.size()]);
  return l;
}

std::vector<int> canonical_tour(std::vector<int> order) {
  if (order.empty()) return order;
  std::rotate(order.begin(), std::min_element(order.begin(), order.end()), order.end());
  if (order.size() > 2 && order.back() < order[1]) std::reverse(order.begin() + 1, order.end());
  return order;
}

bool is_permutation_of(const std::vector<int>& order, Index n) {
  if (static_cast<Index>(order.size()) != n) return false;
  std::vector<char> seen(static_cast<size_t>(n), 0);
  for (int i : order) {
    if (i < 0 || i >= n || seen[static_cast<size_t>(i)]) return false;
    seen[static_cast<size_t>(i)] = 1;
  }
  return true;
}

std::vector<int> optimal_tour(const MatD& points) {
  const int n = static_cast<int>(points.rows());
  require(n >= 1 && n <= 16 && points.cols() == 2, "optimal_tour", "needs [n x 2] points, 1 <= n <= 16, got " + std::to_string(n));
  if (n <= 3) {
    std::vector<int> t(static_cast<size_t>(n));
    std::iota(t.begin(), t.end(), 0);
    return canonical_tour(t);
  }
  // best[S][j]: the shortest path from city 0 through the set S of cities 1..n-1, ending at j in S.
  const int m = n - 1, full = (1 << m) - 1;
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<double> best(static_cast<size_t>(1 << m) * static_cast<size_t>(m), inf);
  std::vector<signed char> from(best.size(), -1);
  const auto at = [m](int s, int j) { return static_cast<size_t>(s) * static_cast<size_t>(m) + static_cast<size_t>(j); };
  for (int j = 0; j < m; ++j) best[at(1 << j, j)] = dist(points, 0, j + 1);
  for (int s = 1; s <= full; ++s)
    for (int j = 0; j < m; ++j) {
      if (!(s & (1 << j)) || best[at(s, j)] == inf) continue;
      for (int k = 0; k < m; ++k) {
        if (s & (1 << k)) continue;
        const double c = best[at(s, j)] + dist(points, j + 1, k + 1);
        if (c < best[at(s | (1 << k), k)]) {
          best[at(s | (1 << k), k)] = c;
          from[at(s | (1 << k), k)] = static_cast<signed char>(j);
        }
      }
    }
  int last = 0;
  for (int j = 1; j < m; ++j)
    if (best[at(full, j)] + dist(points, j + 1, 0) < best[at(full, last)] + dist(points, last + 1, 0)) last = j;
  std::vector<int> tour;
  for (int s = full, j = last; j >= 0;) {
    tour.push_back(j + 1);
    const int prev = from[at(s, j)];
    s &= ~(1 << j);
    j = prev;
  }
  tour.push_back(0);
  std::reverse(tour.begin(), tour.end());
  return canonical_tour(tour);
}

namespace {

// 2-opt and Or-opt moves (first improvement) on tour t under distances d until neither shortens it.
class LocalSearch {
 public:
  explicit LocalSearch(const MatD& points) : n_(static_cast<int>(points.rows())), d_(n_, n_) {
    for (int a = 0; a < n_; ++a)
      for (int b = 0; b < n_; ++b) d_(a, b) = dist(points, a, b);
  }
  double improve(std::vector<int>& t) const {
    while (two_opt(t) || or_opt(t)) {
    }
    return length(t);
  }
  double length(const std::vector<int>& t) const {
    double l = 0;
    for (int i = 0; i < n_; ++i) l += d_(t[size_t(i)], t[size_t((i + 1) % n_)]);
    return l;
  }
  std::vector<int> nearest_neighbour() const {
    std::vector<int> t{0};
    std::vector<char> used(size_t(n_), 0);
    used[0] = 1;
    while (static_cast<int>(t.size()) < n_) {
      int best = -1;
      for (int c = 0; c < n_; ++c)
        if (!used[size_t(c)] && (best < 0 || d_(t.back(), c) < d_(t.back(), best))) best = c;
      used[size_t(best)] = 1;
      t.push_back(best);
    }
    return t;
  }

 private:
  static constexpr double kEps = 1e-12;
  bool two_opt(std::vector<int>& t) const {
    bool any = false;
    for (bool again = true; again;) {
      again = false;
      for (int i = 0; i + 2 < n_; ++i)
        for (int j = i + 2; j < n_; ++j) {
          if (i == 0 && j == n_ - 1) continue;  // the same edge pair
          const int a = t[size_t(i)], b = t[size_t(i + 1)], c = t[size_t(j)], e = t[size_t((j + 1) % n_)];
          if (d_(a, c) + d_(b, e) - d_(a, b) - d_(c, e) < -kEps) {
            std::reverse(t.begin() + i + 1, t.begin() + j + 1);
            again = any = true;
          }
        }
    }
    return any;
  }
  // Moves the run t[i .. i+len-1] between two neighbours elsewhere, as it is or reversed.
  bool or_opt(std::vector<int>& t) const {
    for (int len = 1; len <= 3 && len + 2 <= n_; ++len)
      for (int i = 0; i + len <= n_; ++i) {
        const int first = t[size_t(i)], last = t[size_t(i + len - 1)];
        const int prev = t[size_t((i - 1 + n_) % n_)], next = t[size_t((i + len) % n_)];
        const double removed = d_(prev, first) + d_(last, next) - d_(prev, next);
        std::vector<int> rest;
        for (int k = 0; k < n_; ++k)
          if (k < i || k >= i + len) rest.push_back(t[size_t(k)]);
        const int r = static_cast<int>(rest.size());
        for (int k = 0; k < r; ++k) {
          const int p = rest[size_t(k)], q = rest[size_t((k + 1) % r)];
          if (p == prev && q == next) continue;  // where it was
          const double keep = d_(p, first) + d_(last, q) - d_(p, q), flip = d_(p, last) + d_(first, q) - d_(p, q);
          if (std::min(keep, flip) - removed < -kEps) {
            std::vector<int> run(t.begin() + i, t.begin() + i + len);
            if (flip < keep) std::reverse(run.begin(), run.end());
            rest.insert(rest.begin() + k + 1, run.begin(), run.end());
            t = std::move(rest);
            return true;
          }
        }
      }
    return false;
  }
  int n_;
  MatD d_;
};

}  // namespace

std::vector<int> local_search_tour(const MatD& points, int starts, Rng& rng) {
  const int n = static_cast<int>(points.rows());
  require(n >= 1 && points.cols() == 2 && starts >= 1, "local_search_tour",
          "needs [n x 2] points with n >= 1 and starts >= 1, got " + shape_str(points.rows(), points.cols()));
  if (n <= 3) return optimal_tour(points);
  const LocalSearch search(points);
  std::vector<int> best = search.nearest_neighbour();
  double best_length = search.improve(best);
  for (int s = 1; s < starts; ++s) {
    std::vector<int> t = rng.permutation(n);
    const double l = search.improve(t);
    if (l < best_length - 1e-12) best_length = l, best = std::move(t);
  }
  return canonical_tour(best);
}

std::vector<PointerFileLine> read_pointer_file(const std::string& path) {
  const std::string text = fileio::read_file(path);
  std::vector<PointerFileLine> out;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    const auto fail = [&](const std::string& what) {
      throw std::invalid_argument(path + ":" + std::to_string(number) + ": " + what);
    };
    std::istringstream words(line);
    std::vector<double> coords;
    std::vector<int> answer;
    bool output = false;
    std::string w;
    while (words >> w) {
      if (w == "output") {
        if (output) fail("'output' appears twice");
        output = true;
        continue;
      }
      if (!output) {
        double v = 0;
        const auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
        if (ec != std::errc() || p != w.data() + w.size() || !std::isfinite(v)) fail("'" + w + "' is not a coordinate");
        coords.push_back(v);
      } else {
        long long v = 0;
        const auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
        if (ec != std::errc() || p != w.data() + w.size()) fail("'" + w + "' is not an index");
        answer.push_back(static_cast<int>(std::clamp<long long>(v, -1, 1 << 30)));
      }
    }
    if (coords.empty() && !output) continue;  // a blank line
    if (!output) fail("no 'output' after the coordinates");
    if (coords.size() % 2 != 0) fail(std::to_string(coords.size()) + " coordinates: not x, y pairs");
    if (coords.empty()) fail("no points before 'output'");
    if (answer.empty()) fail("no indices after 'output'");
    const Index n = static_cast<Index>(coords.size() / 2);
    PointerFileLine l;
    l.points = MatD(n, 2);
    for (Index i = 0; i < n; ++i) l.points(i, 0) = coords[static_cast<size_t>(2 * i)], l.points(i, 1) = coords[static_cast<size_t>(2 * i + 1)];
    for (int& i : answer) {
      if (i < 1 || i > n) fail("index " + std::to_string(i) + " is outside 1.." + std::to_string(n));
      --i;
    }
    if (answer.size() > 1 && answer.back() == answer.front()) answer.pop_back();  // the closing repeat
    l.answer = std::move(answer);
    out.push_back(std::move(l));
  }
  if (out.empty()) throw std::invalid_argument(path + ": no examples");
  return out;
}

}  // namespace engram::experiments::pointer
