#include "protocols/mta/mx_order.hpp"

#include <algorithm>

#include "protocols/message/message.hpp"

namespace maillab::mta {

MxRoute order_mx(std::vector<MxHost> records, std::string_view self,
                 const std::function<std::mt19937_64&()>& rng) {
  MxRoute out;
  if (records.size() == 1 && records[0].host.empty()) {
    out.verdict = MxRoute::Verdict::NullMx;
    return out;
  }
  std::vector<MxHost>& mxs = out.hosts;
  mxs = std::move(records);
  mxs.erase(std::remove_if(mxs.begin(), mxs.end(), [](const MxHost& m) { return m.host.empty(); }), mxs.end());
  // Answers usually come sorted (one MX, or a server that sorts): then there is nothing to
  // do, and std::stable_sort's buffer is not allocated.
  const auto by_preference = [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; };
  if (!std::is_sorted(mxs.begin(), mxs.end(), by_preference)) std::stable_sort(mxs.begin(), mxs.end(), by_preference);
  std::mt19937_64* stream = nullptr;
  for (std::size_t i = 0; i < mxs.size();) {
    std::size_t j = i;
    while (j < mxs.size() && mxs[j].preference == mxs[i].preference) ++j;
    for (std::size_t k = j - 1; k > i; --k) {
      if (!stream) stream = &rng();
      const std::size_t pick = i + (*stream)() % (k - i + 1);
      std::swap(mxs[k], mxs[pick]);
    }
    i = j;
  }
  const auto me = std::find_if(mxs.begin(), mxs.end(), [&](const MxHost& m) { return message::iequals(self, m.host); });
  if (me != mxs.end()) {
    const int preference = me->preference;
    mxs.erase(std::remove_if(mxs.begin(), mxs.end(), [&](const MxHost& m) { return m.preference >= preference; }),
              mxs.end());
    if (mxs.empty()) out.verdict = MxRoute::Verdict::LoopsToSelf;
  }
  return out;
}

}  // namespace maillab::mta
