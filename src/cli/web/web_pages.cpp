// The dashboard's pages. Before a login, only the login page and its script and style are served;
// the dashboard itself and its script need a session.
#include "cli/web/web_assets.hpp"
#include "cli/web/web_errors.hpp"
#include "cli/web/web_routes.hpp"

#include <cstring>

namespace lokbackup::cli
{

namespace
{

const WebAsset &asset(const std::string &path)
{
    for (std::size_t i = 0; i < web_asset_count; ++i)
        if (path == web_assets[i].path)
            return web_assets[i];
    throw HttpError(404, "no such file: " + path);
}

void send_asset(httplib::Response &response, const WebAsset &file)
{
    response.set_content(file.content, std::strlen(file.content), file.content_type);
}

bool logged_in(WebApp &app, const httplib::Request &request)
{
    try {
        require_session(app.sessions, request, Access::read);
        return true;
    } catch (const HttpError &) {
        return false;
    }
}

void dashboard(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    if (!logged_in(app, request))
        return response.set_redirect("/login", 303);
    send_asset(response, asset("/assets/index.html"));
}

void login_page(WebApp &, const httplib::Request &, httplib::Response &response)
{
    send_asset(response, asset("/assets/login.html"));
}

void static_file(WebApp &app, const httplib::Request &request, httplib::Response &response)
{
    const WebAsset &file = asset(request.path);
    if (!file.is_public)
        require_session(app.sessions, request, Access::read);
    send_asset(response, file);
}

} // namespace

void add_page_routes(httplib::Server &server, WebApp &app)
{
    server.Get("/", json_route(app, dashboard));
    server.Get("/login", json_route(app, login_page));
    server.Get(R"(/assets/[a-z_-]+\.[a-z]+)", json_route(app, static_file));
}

} // namespace lokbackup::cli
