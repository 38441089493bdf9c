// temporal: the DNC read weighting (Graves et al. 2016, Methods: temporal memory linkage, read
// weighting): with L the link matrix of a write head (L[i, j]: how much slot i was written right
// after slot j) and w_{t-1} this read head's previous weighting,
//   f = L w_{t-1} (forward: what was written after what was read),  b = L^T w_{t-1} (backward),
//   w = pi_0 b + pi_1 w_in + pi_2 f,     pi = read modes (backward, content, forward)
// where w_in is the content weighting of the stage before. A refining stage; reads the links
// tracker (memory/trackers.h).
// Sums to at most 1 because L's row and column sums are at most 1. Cost O(N^2): one pass over L
// forward and one backward (memory_ops.h temporal_weighting).
//   params: read_mode [1 x 3] softmax
//   options: write_head (default 0): whose link matrix to follow
#include "memory/addressing.h"

namespace engram::memory {

template <class T>
class TemporalAddressing : public AddressingStage<T> {
 public:
  TemporalAddressing(const AddressingShape& shape, const Options& opt, Rng&) : links_(links_tracker<T>(shape)) {
    check_shape("addressing stage 'temporal'", shape);
    write_head_ = opt.integer("write_head", 0, 0, std::max<Index>(shape.write_heads - 1, 0));
    opt.finish("addressing stage 'temporal'");
  }
  std::vector<ParamSpec> params() const override { return {{"read_mode", 3, Activation::softmax}}; }
  bool batches() const override { return true; }
  bool refines() const override { return true; }
  std::vector<std::shared_ptr<const Tracker<T>>> trackers() const override { return {links_}; }
  // w, previous: [1 x N]  link: [N x N]  read_mode: [1 x 3]  -> [1 x N]
  Var<T> apply(const Var<T>& w, const AddressContext<T>& ctx) const override {
    const LinksState<T>& s = this->template tracked<LinksState<T>>(ctx, 0);
    require_lazy(static_cast<Index>(s.links.size()) > write_head_, "addressing stage 'temporal'", [&] {
      return "needs the link matrix of write head " + std::to_string(write_head_);
    });
    const Var<T>& L = s.links[static_cast<size_t>(write_head_)];
    return temporal_weighting(L, ctx.previous, w, ctx.param("read_mode"));  // one fused node
  }

 private:
  Index write_head_ = 0;
  std::shared_ptr<const Tracker<T>> links_;
};

ENGRAM_REGISTER_ADDRESSING("temporal", "pi_b L^T w_prev + pi_c w + pi_f L w_prev: DNC temporal links for read heads; option write_head",
                           TemporalAddressing);

}  // namespace engram::memory
