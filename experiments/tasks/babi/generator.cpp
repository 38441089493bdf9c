// The bAbI-style story generator (see generator.h): a small simulated world per story whose
// state gives every answer and every supporting fact.
#include "experiments/tasks/babi/generator.h"

#include "experiments/config.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

namespace engram::experiments::babi {

namespace fs = std::filesystem;

const std::vector<std::string>& actor_names() {
  static const std::vector<std::string> v{"Mary",    "John", "Sandra", "Daniel", "Emily", "Winona",
                                          "Gertrude", "Jessica", "Lily", "Bernhard", "Greg", "Brian"};
  return v;
}
const std::vector<std::string>& distractor_names() {
  static const std::vector<std::string> v{"Bill", "Fred", "Jeff", "Julie", "Yann", "Jason", "Antoine", "Sumit"};
  return v;
}
const std::vector<std::string>& object_names() {
  static const std::vector<std::string> v{"football", "apple", "milk", "book", "key", "box", "cup", "pen"};
  return v;
}
const std::vector<std::string>& place_names() {
  static const std::vector<std::string> v{"kitchen", "garden", "hallway", "bedroom",
                                          "office",  "bathroom", "lounge", "nursery"};
  return v;
}
const std::vector<std::string>& distractor_places() {
  static const std::vector<std::string> v{"cellar", "attic", "garage", "library", "pantry", "studio", "porch", "balcony"};
  return v;
}

const std::vector<int>& generated_tasks() {
  static const std::vector<int> v{1, 2, 3, 6, 7, 8, 19};
  return v;
}

namespace {

std::string task_list() {
  std::string s;
  for (int t : generated_tasks()) s += (s.empty() ? "" : " ") + std::to_string(t);
  return s;
}

bool known_task(int task) {
  const auto& g = generated_tasks();
  return std::find(g.begin(), g.end(), task) != g.end();
}

int distractor_count(const GeneratorOptions& o) {
  return static_cast<int>(std::lround(o.distractors * o.statements));
}

template <class T>
const T& pick(const std::vector<T>& v, Rng& rng) {
  return v[static_cast<std::size_t>(rng.below(v.size()))];
}

const std::vector<std::string> kMoveVerbs{"moved to", "went to", "journeyed to", "travelled to", "went back to"};
const std::vector<std::string> kGrabVerbs{"got", "took", "picked up", "grabbed"};
const std::vector<std::string> kDropVerbs{"dropped", "left", "discarded", "put down"};
const std::vector<std::string> kNumbers{"none", "one", "two", "three", "four", "five", "six", "seven", "eight"};

// Numbered lines of one story.
class StoryText {
 public:
  explicit StoryText(std::string& out) : out_(out) {}
  void restart() { next_ = 1; }
  int statement(const std::string& text) {
    out_ += std::to_string(next_) + " " + text + "\n";
    return next_++;
  }
  void question(const std::string& text, const std::string& answer, const std::vector<int>& support) {
    out_ += std::to_string(next_++) + " " + text + " \t" + answer + "\t";
    for (std::size_t i = 0; i < support.size(); ++i) out_ += (i ? " " : "") + std::to_string(support[i]);
    out_ += "\n";
  }

 private:
  std::string& out_;
  int next_ = 1;
};

// ---- tasks 1 2 3 6 7 8: actors, objects, places ----------------------------------------------
class World {
 public:
  World(int task, const GeneratorOptions& o, Rng& rng, std::string& out) : task_(task), o_(o), rng_(rng), text_(out) {}

  void story() {
    if (o_.uniform_distance) return far_story();
    const std::vector<char> distractor = begin_story();
    const int n = o_.statements, q = o_.questions;
    // question k is due after statement ceil((k + 1) * n / q)
    const auto due = [&](int k) { return std::max(1, static_cast<int>((static_cast<long long>(k + 1) * n + q - 1) / q)); };
    const int limit = 11 * n + 100;
    int asked = 0;
    for (int emitted = 0; asked < q; ) {
      if (emitted >= limit)
        throw std::invalid_argument("statements: task " + std::to_string(task_) + ": could not ask question " +
                                    std::to_string(asked + 1) + " of a story within " + std::to_string(limit) + " statements");
      if (emitted < n && distractor[static_cast<std::size_t>(emitted)]) distract();
      else relevant();
      ++emitted;
      while (asked < q && due(asked) <= emitted && ask()) ++asked;
    }
  }

 private:
  // A fresh world and numbering; returns which statements are distractors (a seeded share).
  std::vector<char> begin_story() {
    actors_.assign(static_cast<std::size_t>(o_.actors), Actor{});
    objects_.assign(static_cast<std::size_t>(o_.objects), Object{});
    extras_.assign(static_cast<std::size_t>(std::min<int>(o_.actors, static_cast<int>(distractor_names().size()))), -1);
    text_.restart();
    const int n = o_.statements, nd = distractor_count(o_);
    std::vector<char> distractor(static_cast<std::size_t>(n), 0);
    const std::vector<int> perm = rng_.permutation(n);
    for (int i = 0; i < nd; ++i) distractor[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] = 1;
    return distractor;
  }

  // Tasks 1 and 6 with uniform_distance: question k asks about actor asked[k], whose last move is
  // statement target[k] (distinct positions drawn uniformly among the non-distractor ones); the
  // other statements move an actor that has not yet made its last move.
  void far_story() {
    const std::vector<char> distractor = begin_story();
    const int n = o_.statements, q = o_.questions;
    std::vector<int> slots;  // where last moves may go
    for (int t = 0; t < n; ++t)
      if (!distractor[static_cast<std::size_t>(t)]) slots.push_back(t);
    const std::vector<int> order = rng_.permutation(static_cast<int>(slots.size())), who = rng_.permutation(o_.actors);
    std::vector<int> final_at(static_cast<std::size_t>(o_.actors), -1), asked;
    for (int k = 0; k < q; ++k) {
      asked.push_back(who[static_cast<std::size_t>(k)]);
      final_at[static_cast<std::size_t>(asked.back())] = slots[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])];
    }
    for (int t = 0; t < n; ++t) {
      if (distractor[static_cast<std::size_t>(t)]) {
        distract();
        continue;
      }
      const auto last = std::find(final_at.begin(), final_at.end(), t);
      if (last != final_at.end()) {
        move(static_cast<int>(last - final_at.begin()));
        continue;
      }
      std::vector<int> free;  // actors still allowed to move: no last move yet to come at or before t
      for (int a = 0; a < o_.actors; ++a)
        if (final_at[static_cast<std::size_t>(a)] < 0 || final_at[static_cast<std::size_t>(a)] > t) free.push_back(a);
      move(pick(free, rng_));
    }
    for (int a : asked) ask_about(a);
  }

  struct Actor {
    int place = -1;
    int last_move = 0;          // line id of the last move
    std::vector<int> holding;   // objects, in the order picked up
    std::vector<int> events;    // line ids of the actor's grabs and drops
  };
  struct Object {
    int holder = -1;            // actor carrying it
    int place = -1;             // where it lies when not carried
    int last_event = 0;         // line id of its last grab or drop
    int drop_move = 0;          // the dropper's last move at the drop
    std::vector<std::pair<int, int>> history;  // (place, line id that put it there), consecutive places differ
  };

  const std::string& actor(int a) const { return actor_names()[static_cast<std::size_t>(a)]; }
  const std::string& object(int o) const { return object_names()[static_cast<std::size_t>(o)]; }
  const std::string& place(int p) const { return place_names()[static_cast<std::size_t>(p)]; }
  // a random place other than `current` (any place when current < 0)
  int other_place(int current) {
    if (current < 0) return static_cast<int>(rng_.below(static_cast<std::uint64_t>(o_.places)));
    const int p = static_cast<int>(rng_.below(static_cast<std::uint64_t>(o_.places - 1)));
    return p >= current ? p + 1 : p;
  }

  void move(int a) {
    Actor& x = actors_[static_cast<std::size_t>(a)];
    const int p = other_place(x.place);
    const int line = text_.statement(actor(a) + " " + pick(kMoveVerbs, rng_) + " the " + place(p) + ".");
    x.place = p;
    x.last_move = line;
    for (int o : x.holding) objects_[static_cast<std::size_t>(o)].history.emplace_back(p, line);
  }

  void grab(int a, int o) {
    Actor& x = actors_[static_cast<std::size_t>(a)];
    Object& y = objects_[static_cast<std::size_t>(o)];
    const int line = text_.statement(actor(a) + " " + pick(kGrabVerbs, rng_) + " the " + object(o) +
                                     (rng_.bernoulli(0.5) ? " there." : "."));
    if (y.history.empty()) y.history.emplace_back(x.place, x.last_move);
    y.holder = a;
    y.place = -1;
    y.last_event = line;
    x.holding.push_back(o);
    x.events.push_back(line);
  }

  void drop(int a, int o) {
    Actor& x = actors_[static_cast<std::size_t>(a)];
    Object& y = objects_[static_cast<std::size_t>(o)];
    const int line = text_.statement(actor(a) + " " + pick(kDropVerbs, rng_) + " the " + object(o) +
                                     (rng_.bernoulli(0.5) ? " there." : "."));
    y.holder = -1;
    y.place = x.place;
    y.last_event = line;
    y.drop_move = x.last_move;
    x.holding.erase(std::find(x.holding.begin(), x.holding.end(), o));
    x.events.push_back(line);
  }

  void distract() {
    const int d = static_cast<int>(rng_.below(extras_.size()));
    int& p = extras_[static_cast<std::size_t>(d)];
    p = other_place(p);
    text_.statement(distractor_names()[static_cast<std::size_t>(d)] + " " + pick(kMoveVerbs, rng_) + " the " + place(p) + ".");
  }

  void relevant() {
    const int na = o_.actors;
    if (task_ == 1 || task_ == 6) return move(static_cast<int>(rng_.below(static_cast<std::uint64_t>(na))));
    std::vector<std::pair<int, int>> grabs, drops;
    std::vector<int> carriers;
    for (int a = 0; a < na; ++a) {
      const Actor& x = actors_[static_cast<std::size_t>(a)];
      if (!x.holding.empty()) carriers.push_back(a);
      for (int o : x.holding) drops.emplace_back(a, o);
      if (x.place < 0) continue;
      for (int o = 0; o < o_.objects; ++o) {
        const Object& y = objects_[static_cast<std::size_t>(o)];
        if (y.holder < 0 && (y.history.empty() || y.place == x.place)) grabs.emplace_back(a, o);
      }
    }
    const double r = rng_.uniform();
    if (r < 0.3 && !grabs.empty()) {
      const auto& [a, o] = pick(grabs, rng_);
      return grab(a, o);
    }
    if (r >= 0.3 && r < 0.45 && !drops.empty()) {
      const auto& [a, o] = pick(drops, rng_);
      return drop(a, o);
    }
    // task 3 needs objects carried from place to place: carriers move more often
    if (task_ == 3 && !carriers.empty() && rng_.bernoulli(0.5)) return move(pick(carriers, rng_));
    move(static_cast<int>(rng_.below(static_cast<std::uint64_t>(na))));
  }

  // Asks one question if one can be asked now.
  bool ask() {
    std::vector<int> c;  // candidates: actors or objects
    switch (task_) {
      case 1:
      case 6:
        for (int a = 0; a < o_.actors; ++a)
          if (actors_[static_cast<std::size_t>(a)].place >= 0) c.push_back(a);
        break;
      case 2:
        for (int o = 0; o < o_.objects; ++o)
          if (!objects_[static_cast<std::size_t>(o)].history.empty()) c.push_back(o);
        break;
      case 3:
        for (int o = 0; o < o_.objects; ++o)
          if (objects_[static_cast<std::size_t>(o)].history.size() >= 2) c.push_back(o);
        break;
      default:  // 7, 8
        for (int a = 0; a < o_.actors; ++a)
          if (!actors_[static_cast<std::size_t>(a)].events.empty()) c.push_back(a);
    }
    if (c.empty()) return false;
    const int i = pick(c, rng_);
    switch (task_) {
      case 1:
      case 6:
        ask_about(i);
        break;
      case 2: {
        const Object& y = objects_[static_cast<std::size_t>(i)];
        const Actor* h = y.holder >= 0 ? &actors_[static_cast<std::size_t>(y.holder)] : nullptr;
        text_.question("Where is the " + object(i) + "?", place(h ? h->place : y.place),
                       {y.last_event, h ? h->last_move : y.drop_move});
        break;
      }
      case 3: {
        const Object& y = objects_[static_cast<std::size_t>(i)];
        const auto& now = y.history.back();
        const auto& before = y.history[y.history.size() - 2];
        text_.question("Where was the " + object(i) + " before the " + place(now.first) + "?", place(before.first),
                       {y.last_event, now.second, before.second});
        break;
      }
      default: {
        const Actor& x = actors_[static_cast<std::size_t>(i)];
        std::string answer;
        if (task_ == 7) {
          answer = kNumbers[x.holding.size()];
        } else {
          for (int o : x.holding) answer += (answer.empty() ? "" : ",") + object(o);
          if (answer.empty()) answer = "nothing";
        }
        text_.question(task_ == 7 ? "How many objects is " + actor(i) + " carrying?" : "What is " + actor(i) + " carrying?",
                       answer, x.events);
      }
    }
    return true;
  }

  // Tasks 1 and 6: the question about actor i (who has a place).
  void ask_about(int i) {
    const Actor& x = actors_[static_cast<std::size_t>(i)];
    if (task_ == 1) return text_.question("Where is " + actor(i) + "?", place(x.place), {x.last_move});
    const bool yes = rng_.bernoulli(0.5);
    const int p = yes ? x.place : other_place(x.place);
    text_.question("Is " + actor(i) + " in the " + place(p) + "?", yes ? "yes" : "no", {x.last_move});
  }

  int task_;
  const GeneratorOptions& o_;
  Rng& rng_;
  StoryText text_;
  std::vector<Actor> actors_;
  std::vector<Object> objects_;
  std::vector<int> extras_;  // places of the distractor actors
};

// ---- task 19: path finding on a map of rooms ----------------------------------------------
using Cell = std::pair<int, int>;   // grid position (x east, y north)
using Link = std::pair<int, int>;   // two rooms, lower index first
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

struct Dir {
  int dx, dy;
  const char* name;
  char letter;
};
const Dir kDirs[4] = {{0, 1, "north", 'n'}, {1, 0, "east", 'e'}, {0, -1, "south", 's'}, {-1, 0, "west", 'w'}};

// The direction from cell a to the adjacent cell b, -1 if they are not adjacent.
int dir_between(Cell a, Cell b) {
  for (int d = 0; d < 4; ++d)
    if (b.first - a.first == kDirs[d].dx && b.second - a.second == kDirs[d].dy) return d;
  return -1;
}

// k rooms on grid cells joined by `links` grid-adjacent pairs: a random spanning tree first, then
// random extra adjacencies. False if the layout has too few adjacencies.
bool grid_map(int k, int links, Rng& rng, std::vector<Cell>& pos, std::vector<Link>& out) {
  pos.assign(1, {0, 0});
  out.clear();
  while (static_cast<int>(pos.size()) < k) {
    const std::size_t j = rng.below(pos.size());
    const Dir& d = kDirs[rng.below(4)];
    const Cell cell{pos[j].first + d.dx, pos[j].second + d.dy};
    if (std::find(pos.begin(), pos.end(), cell) != pos.end()) continue;
    out.emplace_back(static_cast<int>(j), static_cast<int>(pos.size()));
    pos.push_back(cell);
  }
  std::vector<Link> extra;
  for (int a = 0; a < k; ++a)
    for (int b = a + 1; b < k; ++b)
      if (dir_between(pos[static_cast<std::size_t>(a)], pos[static_cast<std::size_t>(b)]) >= 0 &&
          std::find(out.begin(), out.end(), Link{a, b}) == out.end())
        extra.emplace_back(a, b);
  const int need = links - (k - 1);
  if (need > static_cast<int>(extra.size())) return false;
  rng.shuffle(extra);
  out.insert(out.end(), extra.begin(), extra.begin() + need);
  return true;
}

// Every room path (from, ..., to) that is the only shortest path between its ends and has
// `length` steps, by a breadth-first search from each room and a count of shortest paths.
std::vector<std::vector<std::size_t>> unique_shortest_paths(const Graph& g, int length) {
  const std::size_t k = boost::num_vertices(g);
  std::vector<std::vector<std::size_t>> out;
  for (std::size_t s = 0; s < k; ++s) {
    std::vector<int> dist(k, -1);
    std::vector<std::size_t> pred(k, s);
    dist[s] = 0;
    boost::breadth_first_search(
        g, s,
        boost::visitor(boost::make_bfs_visitor(std::make_pair(boost::record_distances(dist.data(), boost::on_tree_edge()),
                                                              boost::record_predecessors(pred.data(), boost::on_tree_edge())))));
    std::vector<std::size_t> order;  // reached rooms by distance
    for (std::size_t v = 0; v < k; ++v)
      if (dist[v] >= 0) order.push_back(v);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return dist[a] < dist[b]; });
    std::vector<long long> paths(k, 0);  // number of shortest paths from s
    paths[s] = 1;
    for (std::size_t v : order)
      for (auto [it, end] = boost::adjacent_vertices(v, g); it != end; ++it)
        if (dist[*it] == dist[v] - 1) paths[v] += paths[*it];
    for (std::size_t t = 0; t < k; ++t) {
      if (dist[t] != length || paths[t] != 1) continue;
      std::vector<std::size_t> path{t};
      while (path.back() != s) path.push_back(pred[path.back()]);
      std::reverse(path.begin(), path.end());
      out.push_back(std::move(path));
    }
  }
  return out;
}

// "The b is north of the a." or, equally likely, "The a is south of the b." (b is north of a)
std::string map_sentence(const std::string& a, const std::string& b, int dir_ab, Rng& rng) {
  if (rng.bernoulli(0.5)) return "The " + b + " is " + kDirs[dir_ab].name + " of the " + a + ".";
  return "The " + a + " is " + kDirs[(dir_ab + 2) % 4].name + " of the " + b + ".";
}

void map_story(const GeneratorOptions& o, Rng& rng, std::string& out) {
  const int nd = distractor_count(o), nr = o.statements - nd, k = std::min(o.places, nr + 1);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const std::vector<int> names = rng.permutation(o.places);  // room i is place_names()[names[i]]
    std::vector<Cell> pos;
    std::vector<Link> links;
    if (!grid_map(k, nr, rng, pos, links)) continue;
    Graph g(static_cast<std::size_t>(k));
    for (const auto& [a, b] : links) boost::add_edge(static_cast<std::size_t>(a), static_cast<std::size_t>(b), g);
    auto paths = unique_shortest_paths(g, o.path_length);
    if (static_cast<int>(paths.size()) < o.questions) continue;

    // distractors: a separate map among distractor rooms
    std::vector<Cell> dpos;
    std::vector<Link> dlinks;
    const std::vector<int> dnames = rng.permutation(static_cast<int>(distractor_places().size()));
    if (nd > 0) grid_map(nd + 1, nd, rng, dpos, dlinks);

    const auto room = [&](std::size_t i) { return place_names()[static_cast<std::size_t>(names[i])]; };
    const auto droom = [&](std::size_t i) { return distractor_places()[static_cast<std::size_t>(dnames[i])]; };
    const auto cell = [](const std::vector<Cell>& p, int i) { return p[static_cast<std::size_t>(i)]; };
    std::vector<std::string> sentences;  // links first (same index), then distractors
    for (const auto& [a, b] : links)
      sentences.push_back(map_sentence(room(a), room(b), dir_between(cell(pos, a), cell(pos, b)), rng));
    for (const auto& [a, b] : dlinks)
      sentences.push_back(map_sentence(droom(a), droom(b), dir_between(cell(dpos, a), cell(dpos, b)), rng));
    StoryText text(out);
    std::vector<int> line_of(sentences.size());
    for (int i : rng.permutation(static_cast<int>(sentences.size())))
      line_of[static_cast<std::size_t>(i)] = text.statement(sentences[static_cast<std::size_t>(i)]);

    rng.shuffle(paths);
    for (int q = 0; q < o.questions; ++q) {
      const auto& path = paths[static_cast<std::size_t>(q)];
      std::string answer;
      std::vector<int> support;
      for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        const int a = static_cast<int>(path[i]), b = static_cast<int>(path[i + 1]);
        answer += std::string(i ? "," : "") + kDirs[dir_between(cell(pos, a), cell(pos, b))].letter;
        const auto l = std::find(links.begin(), links.end(), Link{std::min(a, b), std::max(a, b)});
        support.push_back(line_of[static_cast<std::size_t>(l - links.begin())]);
      }
      text.question("How do you go from the " + room(path.front()) + " to the " + room(path.back()) + "?", answer, support);
    }
    return;
  }
  throw std::invalid_argument("statements: task 19: could not draw a map of " + std::to_string(nr) + " sentences over " +
                              std::to_string(o.places) + " places with " + std::to_string(o.questions) +
                              " room pairs joined by a unique shortest path of " + std::to_string(o.path_length) +
                              " steps; change statements, places, questions or path_length");
}

}  // namespace

GeneratorOptions default_options(int task) {
  if (!known_task(task))
    throw std::invalid_argument("task: the generator makes tasks " + task_list() + ", got " + std::to_string(task));
  GeneratorOptions o;
  if (task == 2) o.statements = 15;
  if (task == 3) o.statements = 30;
  if (task == 7 || task == 8) o.statements = 12;
  if (task == 19) o.statements = 5, o.questions = 1;
  return o;
}

void validate(int task, const GeneratorOptions& o) {
  const auto range = [](const char* key, long long v, long long lo, long long hi) {
    if (v < lo || v > hi)
      throw std::invalid_argument(std::string(key) + ": must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                  "], got " + std::to_string(v));
  };
  if (!known_task(task))
    throw std::invalid_argument("task: the generator makes tasks " + task_list() + ", got " + std::to_string(task));
  range("stories", o.stories, 1, 100000000);
  range("statements", o.statements, 1, 100000);
  range("questions", o.questions, 1, 100000);
  range("actors", o.actors, 1, static_cast<long long>(actor_names().size()));
  range("objects", o.objects, 1, static_cast<long long>(object_names().size()));
  range("places", o.places, 2, static_cast<long long>(place_names().size()));
  if (o.uniform_distance) {
    if (task != 1 && task != 6)
      throw std::invalid_argument("distance: uniform is made for tasks 1 and 6 (the asked actor's last move), got task " +
                                  std::to_string(task));
    range("questions", o.questions, 1, o.actors - 1);
    if (o.statements - distractor_count(o) < o.questions)
      throw std::invalid_argument("statements: distance uniform needs a non-distractor statement per question (" +
                                  std::to_string(o.questions) + "), got " + std::to_string(o.statements - distractor_count(o)));
  }
  if (!(o.distractors >= 0 && o.distractors <= 0.9))
    throw std::invalid_argument("distractors: must be in [0, 0.9], got " + std::to_string(o.distractors));
  if (task == 19) {
    range("path_length", o.path_length, 1, o.places - 1);
    const int nd = distractor_count(o), maxd = static_cast<int>(distractor_places().size()) - 1;
    if (nd > maxd)
      throw std::invalid_argument("distractors: task 19 has at most " + std::to_string(maxd) + " distractor sentences (" +
                                  std::to_string(maxd + 1) + " distractor rooms), got round(" + std::to_string(o.distractors) +
                                  " * " + std::to_string(o.statements) + ") = " + std::to_string(nd));
    if (o.statements - nd < o.path_length)
      throw std::invalid_argument("statements: task 19 needs at least path_length = " + std::to_string(o.path_length) +
                                  " map sentences besides the " + std::to_string(nd) + " distractors, got " +
                                  std::to_string(o.statements));
  }
}

std::string generate(int task, const GeneratorOptions& o, Rng& rng) {
  validate(task, o);
  std::string out;
  if (task == 19) {
    for (int s = 0; s < o.stories; ++s) map_story(o, rng, out);
  } else {
    World w(task, o, rng, out);
    for (int s = 0; s < o.stories; ++s) w.story();
  }
  return out;
}

std::vector<std::string> write_files(const std::string& dir, int task, const GeneratorOptions& o, int test_stories,
                                     const Rng& rng) {
  validate(task, o);
  if (test_stories < 0) throw std::invalid_argument("test_stories: must be >= 0, got " + std::to_string(test_stories));
  fs::create_directories(dir);
  std::vector<std::string> paths;
  const auto write = [&](const std::string& split, int stories) {
    GeneratorOptions so = o;
    so.stories = stories;
    Rng r = rng.child(split);
    const std::string text = generate(task, so, r);
    const std::string path = (fs::path(dir) / ("qa" + std::to_string(task) + "_generated_" + split + ".txt")).string();
    std::ofstream f(path, std::ios::binary);
    f << text;
    if (!f.flush()) throw std::runtime_error(path + ": cannot write the file");
    paths.push_back(path);
  };
  write("train", o.stories);
  if (test_stories > 0) write("test", test_stories);
  return paths;
}

std::vector<std::string> run_generate(const GenerateRequest& r) {
  const std::string cmd = "babi-generate: ";
  std::vector<int> tasks;
  for (const auto& t : r.tasks) {
    if (t == "all") {
      tasks.insert(tasks.end(), generated_tasks().begin(), generated_tasks().end());
      continue;
    }
    int n = 0;
    try {
      std::size_t used = 0;
      n = std::stoi(t, &used);
      if (used != t.size()) n = 0;
    } catch (const std::exception&) {
      n = 0;
    }
    if (!known_task(n)) throw ConfigError(cmd + "--task: expected one of " + task_list() + " or all, got '" + t + "'");
    tasks.push_back(n);
  }
  if (tasks.empty()) throw ConfigError(cmd + "--task: give at least one task (" + task_list() + " or all)");
  std::sort(tasks.begin(), tasks.end());
  tasks.erase(std::unique(tasks.begin(), tasks.end()), tasks.end());
  if (r.out.empty()) throw ConfigError(cmd + "--out: give the output directory");
  std::vector<std::string> paths;
  for (int t : tasks) {
    GeneratorOptions o = default_options(t);
    if (r.stories != -1) o.stories = r.stories;
    if (r.statements != -1) o.statements = r.statements;
    if (r.questions != -1) o.questions = r.questions;
    if (r.actors != -1) o.actors = r.actors;
    if (r.objects != -1) o.objects = r.objects;
    if (r.places != -1) o.places = r.places;
    if (r.path_length != -1) o.path_length = r.path_length;
    if (r.distractors != -1) o.distractors = r.distractors;
    if (r.distance != "natural" && r.distance != "uniform")
      throw ConfigError(cmd + "--distance: expected natural or uniform, got '" + r.distance + "'");
    o.uniform_distance = r.distance == "uniform";
    try {
      if (r.test_stories < 0) throw std::invalid_argument("test_stories: must be >= 0, got " + std::to_string(r.test_stories));
      validate(t, o);
      const auto written = write_files(r.out, t, o, r.test_stories, Rng(r.seed, "task").child("babi-generate").child(static_cast<std::uint64_t>(t)));
      paths.insert(paths.end(), written.begin(), written.end());
    } catch (const std::invalid_argument& e) {
      std::string msg = e.what();
      const auto colon = msg.find(':');
      std::string key = msg.substr(0, colon);
      std::replace(key.begin(), key.end(), '_', '-');
      throw ConfigError(cmd + "task " + std::to_string(t) + ": --" + key + msg.substr(colon));
    }
  }
  return paths;
}

}  // namespace engram::experiments::babi
