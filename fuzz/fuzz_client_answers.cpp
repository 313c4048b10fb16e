// libFuzzer target: what a Ferry client does with a server's answers (pull pages, push
// answers, /v1/me), which a hostile or broken server controls entirely. Each input is given
// to every parser. A parse may fail, never crash; what it accepts must survive being written
// out and read back (so what the engine stores is what it would send).

#include "wire.h"

#include <QByteArray>

#include <cstdio>
#include <cstdlib>

namespace {

void check(bool ok, const char *what, const QByteArray &detail = {})
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz_client_answers: %s\n%s\n", what, detail.left(2000).constData());
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace Ferry::Wire;
    const QByteArray body
        = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));

    const Ferry::Result<PullPage> page = parsePullPage(body);
    if (page) {
        for (const RemoteRecord &record : page->changes)
            check(record.rev > 0 && record.rev <= page->cursor, "a change outside the page");
        const QByteArray again = encode(page.value());
        const Ferry::Result<PullPage> reread = parsePullPage(again);
        check(reread.ok() && reread->changes.size() == page->changes.size()
                  && reread->cursor == page->cursor,
              "a pull page that does not read back", again);
    } else {
        check(page.error().code == QLatin1String("bad_response"), "a pull refusal without code");
    }

    const Ferry::Result<PushResponse> push = parsePushResponse(body);
    if (push) {
        const QByteArray again = encode(push.value());
        const Ferry::Result<PushResponse> reread = parsePushResponse(again);
        check(reread.ok() && reread->results.size() == push->results.size(),
              "a push answer that does not read back", again);
    } else {
        check(push.error().code == QLatin1String("bad_response"), "a push refusal without code");
    }

    return 0;
}
