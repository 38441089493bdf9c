// engram/experiments/tasks/pointer/geometry.h — the exact answers of the planar pointer tasks
// (convex hull, TSP) and the published file format of Vinyals et al. (2015).
//
// Points are the rows of a [n x 2] matrix. Canonical answers, so that a target is unique:
//   hull: the strict convex hull (no collinear points), counter-clockwise, starting at the
//         hull point of smallest index;
//   tour: starts at city 0, and goes to the smaller-indexed of its two neighbours first.
#pragma once

#include "core/rng.h"
#include "core/tensor.h"

#include <string>
#include <vector>

namespace engram::experiments::pointer {

// Point a before point b: smaller x, then smaller y (the order the hull is built in and the one
// `task.start: leftmost` starts it by).
bool lexicographic_less(const MatD& points, int a, int b);
// Andrew's monotone chain, then the canonical start and orientation. n >= 1.
std::vector<int> convex_hull(const MatD& points);
// |shoelace area| of the polygon visiting `order` (0 for fewer than 3 vertices).
double polygon_area(const MatD& points, const std::vector<int>& order);
// True when the closed polygon visiting `order` (at least 3 distinct vertices) is simple: no two
// of its edges meet except adjacent ones at their shared vertex (touching or overlapping counts as
// meeting). The shoelace area of a polygon that crosses itself can exceed its points' hull.
bool is_simple_polygon(const MatD& points, const std::vector<int>& order);
// The same cycle from its smallest index, counter-clockwise (reversed when its signed area is
// negative); what a hull answer is compared by.
std::vector<int> canonical_polygon(const MatD& points, std::vector<int> order);

// Length of the closed tour visiting `order` (back to its first city).
double tour_length(const MatD& points, const std::vector<int>& order);
// The same tour from city 0, towards its smaller neighbour (a permutation of 0..n-1).
std::vector<int> canonical_tour(std::vector<int> order);
// An optimal tour by dynamic programming (Held & Karp 1962), O(2^n n^2); 1 <= n <= 16.
std::vector<int> optimal_tour(const MatD& points);
// A near-optimal tour for any n >= 1, for sizes Held-Karp cannot reach: the best of `starts`
// local searches (the nearest-neighbour tour from city 0, then random tours drawn from rng), each
// improved by 2-opt (reverse a stretch) and Or-opt (move a run of 1-3 cities elsewhere, either
// way round) until neither shortens it. Not guaranteed optimal (tests/experiments/pointer_test.cpp
// measures how close: every tour of 300 instances of 5-12 cities against Held-Karp, and the mean
// length at 20 and 50 cities against the published optimal means). Canonical, like optimal_tour.
std::vector<int> local_search_tour(const MatD& points, int starts, Rng& rng);
// True when `order` visits every one of n cities exactly once.
bool is_permutation_of(const std::vector<int>& order, Index n);

// One line of the published files: "x1 y1 x2 y2 ... output i1 i2 ..." (1-based indices; a
// closing repeat of the first index, as the tour and hull files end, is dropped).
struct PointerFileLine {
  MatD points;              // [n x 2]
  std::vector<int> answer;  // 0-based
};
// Reads every line of `path`; malformed lines are std::invalid_argument naming path:line and
// what is wrong (odd coordinate count, no "output", an index outside 1..n, a number that is not one).
std::vector<PointerFileLine> read_pointer_file(const std::string& path);

}  // namespace engram::experiments::pointer
