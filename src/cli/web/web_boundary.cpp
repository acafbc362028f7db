// httplib's hooks around the routes of `lokbackup serve`: what every request passes before its
// route (Host, body), httplib's own refusals in the API's shape, the last resort for an exception
// that escaped a route, and the request log. Nothing a client sends may end serve: every hook runs
// inside respond(), as the routes do.
#include "cli/web/web_errors.hpp"
#include "cli/web/web_log.hpp"
#include "cli/web/web_routes.hpp"

namespace lokbackup::cli
{

namespace
{

void log_request(const httplib::Request &request, const httplib::Response &response)
{
    log_line(request.remote_addr + " " + printable(request.method) + " " + printable(request.path) +
             " " + std::to_string(response.status));
}

// httplib's own refusals, in the API's shape.
void explain_refusal(const httplib::Request &request, httplib::Response &response)
{
    if (!response.body.empty())
        return;
    switch (response.status) {
    case 404:
        return send_error(response, 404, "no such route: " + request.method + " " + request.path,
                          "", "The routes are listed in the README, under Dashboard and HTTP API.");
    case 413:
        return send_error(response, 413, "the request body is too large (at most 64 KiB)");
    default:
        return send_error(response, response.status, "malformed HTTP request");
    }
}

} // namespace

void install_boundary(httplib::Server &server)
{
    // The one check that cannot wait for the route: without a length, httplib would read the body
    // until the client closes the connection. A request refused here has no body to leave unread.
    server.set_pre_routing_handler(
        [](const httplib::Request &request, httplib::Response &response) {
            bool allowed = false;
            respond(response, [&] {
                check_body_has_length(request);
                allowed = true;
            });
            return allowed ? httplib::Server::HandlerResponse::Unhandled
                           : httplib::Server::HandlerResponse::Handled;
        });
    // httplib calls it outside its own try block: an exception here would end serve.
    server.set_error_handler([](const httplib::Request &request, httplib::Response &response) {
        respond(response, [&] { explain_refusal(request, response); });
    });
    // Routes catch their own exceptions (json_route); this is for whatever escapes them anyway.
    server.set_exception_handler(
        [](const httplib::Request &, httplib::Response &response, std::exception_ptr error) {
            respond(response, [&] { std::rethrow_exception(error); });
        });
    server.set_logger(log_request);
}

} // namespace lokbackup::cli
