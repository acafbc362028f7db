#include "core/http/http_client.hpp"

#include "core/http/curl_global.hpp"
#include "core/base/text.hpp"

#include <algorithm>
#include <cctype>
#include <curl/curl.h>

namespace lokbackup
{

namespace
{

// Unread body bytes above which the transfer pauses until the reader catches up.
constexpr std::size_t max_unread = 1 << 20;
// A transfer slower than this for the request's stall timeout has stalled: libcurl ends it, and
// it is retried. A byte a second is none at all: a slow link is still some KB/s.
constexpr long low_speed_bytes_per_second = 1;
constexpr long poll_milliseconds = 1000;

} // namespace

std::string HttpResponse::header(std::string_view name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value;
    }
    return "";
}

struct HttpTransfer::State {
    State(const HttpRequest &request, std::string what);
    ~State();

    std::size_t unread() const { return received.size() - consumed; }
    // Lets libcurl do what it can without waiting.
    void perform();
    // Performs until `ready` holds or the transfer ends, waiting for the sockets in between.
    template <typename Ready> void wait_until(Ready ready);
    [[noreturn]] void fail() const;

    static std::size_t on_header(char *data, std::size_t size, std::size_t count, void *self);
    static std::size_t on_body(char *data, std::size_t size, std::size_t count, void *self);
    static std::size_t on_upload(char *buffer, std::size_t size, std::size_t count, void *self);

    // CURL and CURLM are both void: each needs a deleter of its own.
    struct EasyCleanup {
        void operator()(CURL *easy) const { curl_easy_cleanup(easy); }
    };
    struct MultiCleanup {
        void operator()(CURLM *multi) const { curl_multi_cleanup(multi); }
    };
    struct ListCleanup {
        void operator()(curl_slist *list) const { curl_slist_free_all(list); }
    };

    std::string what;
    std::string_view upload;
    std::size_t uploaded = 0;
    std::unique_ptr<curl_slist, ListCleanup> headers;
    std::unique_ptr<CURLM, MultiCleanup> multi;
    std::unique_ptr<CURL, EasyCleanup> easy;
    bool attached = false; // easy is in multi
    char error_text[CURL_ERROR_SIZE] = "";

    HttpResponse response;
    bool head_complete = false;
    std::string received;
    std::size_t consumed = 0;
    bool paused = false;
    bool done = false;
    CURLcode result = CURLE_OK;
};

HttpTransfer::State::State(const HttpRequest &request, std::string what_)
    : what(std::move(what_)), upload(request.body)
{
    initialize_curl_once();
    multi.reset(curl_multi_init());
    easy.reset(curl_easy_init());
    if (!easy || !multi)
        throw Error(what + ": cannot start a libcurl transfer");
    curl_slist *list = nullptr;
    for (const auto &[name, value] : request.headers)
        list = curl_slist_append(list, (name + ": " + value).c_str());
    // No "Expect: 100-continue" round trip before each upload.
    headers.reset(curl_slist_append(list, "Expect:"));

    CURL *handle = easy.get();
    curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    long stall_seconds = static_cast<long>(request.stall_timeout.count());
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT,
                     std::min(stall_seconds, static_cast<long>(connect_timeout.count())));
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, low_speed_bytes_per_second);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, stall_seconds);
    curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
    // Only the endpoint configured: no proxy picked up from the environment of the server.
    curl_easy_setopt(handle, CURLOPT_PROXY, "");
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    // The path is sent exactly as it was signed.
    curl_easy_setopt(handle, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(handle, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(handle, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, this);
    if (request.method == "PUT" || request.method == "POST") {
        curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(handle, CURLOPT_READFUNCTION, on_upload);
        curl_easy_setopt(handle, CURLOPT_READDATA, this);
        curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.size()));
    }
    if (request.method != "GET")
        curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (curl_multi_add_handle(multi.get(), handle) != CURLM_OK)
        throw Error(what + ": cannot start a libcurl transfer");
    attached = true;
}

HttpTransfer::State::~State()
{
    if (attached)
        curl_multi_remove_handle(multi.get(), easy.get());
}

void HttpTransfer::State::perform()
{
    if (paused && unread() == 0) {
        paused = false;
        curl_easy_pause(easy.get(), CURLPAUSE_CONT);
    }
    int running = 0;
    CURLMcode code = curl_multi_perform(multi.get(), &running);
    if (code != CURLM_OK)
        throw TransportError(what + ": " + curl_multi_strerror(code), CURLE_FAILED_INIT);
    int queued = 0;
    while (CURLMsg *message = curl_multi_info_read(multi.get(), &queued)) {
        if (message->msg == CURLMSG_DONE) {
            done = true;
            result = message->data.result;
        }
    }
}

template <typename Ready> void HttpTransfer::State::wait_until(Ready ready)
{
    perform();
    while (!ready() && !done) {
        curl_multi_poll(multi.get(), nullptr, 0, poll_milliseconds, nullptr);
        perform();
    }
}

void HttpTransfer::State::fail() const
{
    std::string reason = error_text[0] != '\0' ? error_text : curl_easy_strerror(result);
    throw TransportError(what + ": " + reason, result);
}

std::size_t HttpTransfer::State::on_header(char *data, std::size_t size, std::size_t count,
                                           void *self)
{
    State &state = *static_cast<State *>(self);
    std::string_view line(data, size * count);
    if (line.substr(0, 5) == "HTTP/") {
        // A new response (after an interim 1xx one): its headers replace those seen so far.
        state.response.headers.clear();
    } else if (trim(line).empty()) {
        curl_easy_getinfo(state.easy.get(), CURLINFO_RESPONSE_CODE, &state.response.status);
        state.head_complete = state.response.status >= 200;
    } else if (std::size_t colon = line.find(':'); colon != std::string_view::npos) {
        state.response.headers.emplace_back(to_lower(trim(line.substr(0, colon))),
                                            std::string(trim(line.substr(colon + 1))));
    }
    return size * count;
}

std::size_t HttpTransfer::State::on_body(char *data, std::size_t size, std::size_t count,
                                         void *self)
{
    State &state = *static_cast<State *>(self);
    if (state.unread() >= max_unread) {
        // libcurl keeps this piece and hands it over again once the transfer is resumed.
        state.paused = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    // Bytes already read are dropped once they are half of the buffer, which so stays bounded.
    if (state.consumed > 0 && state.consumed >= state.received.size() / 2) {
        state.received.erase(0, state.consumed);
        state.consumed = 0;
    }
    state.received.append(data, size * count);
    return size * count;
}

std::size_t HttpTransfer::State::on_upload(char *buffer, std::size_t size, std::size_t count,
                                           void *self)
{
    State &state = *static_cast<State *>(self);
    std::size_t length = std::min(size * count, state.upload.size() - state.uploaded);
    std::copy_n(state.upload.data() + state.uploaded, length, buffer);
    state.uploaded += length;
    return length;
}

HttpTransfer::HttpTransfer(const HttpRequest &request, std::string what)
    : state_(std::make_unique<State>(request, std::move(what)))
{
}

HttpTransfer::~HttpTransfer() = default;

const HttpResponse &HttpTransfer::head()
{
    state_->wait_until([this] { return state_->head_complete; });
    if (!state_->head_complete)
        state_->fail();
    return state_->response;
}

std::size_t HttpTransfer::read(char *buffer, std::size_t capacity)
{
    State &state = *state_;
    state.wait_until([&state] { return state.unread() > 0; });
    if (state.unread() == 0) {
        if (state.result != CURLE_OK)
            state.fail();
        return 0;
    }
    std::size_t length = std::min(capacity, state.unread());
    std::copy_n(state.received.data() + state.consumed, length, buffer);
    state.consumed += length;
    return length;
}

HttpResponse http_perform(const HttpRequest &request, const std::string &what)
{
    HttpTransfer transfer(request, what);
    HttpResponse response = transfer.head();
    char buffer[65536];
    while (std::size_t length = transfer.read(buffer, sizeof buffer))
        response.body.append(buffer, length);
    return response;
}

} // namespace lokbackup
