"""Error pages in the user's language, never a traceback; security headers on every response."""
from __future__ import annotations

from flask import Flask, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Yêu cầu không hợp lệ"), _("Yêu cầu gửi lên không hợp lệ.")),
        401: (_("Cần đăng nhập"), _("Vui lòng đăng nhập để tiếp tục.")),
        403: (_("Không có quyền"), _("Bạn không có quyền thực hiện thao tác này.")),
        404: (_("Không tìm thấy"), _("Trang hoặc hồ sơ bạn tìm không có, hoặc không thuộc phạm vi của đơn vị bạn.")),
        405: (_("Thao tác không được phép"), _("Thao tác này không được phép trên trang này.")),
        429: (_("Quá nhiều yêu cầu"), _("Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau.")),
        500: (_("Lỗi hệ thống"), _("Đã có lỗi xảy ra. Lỗi đã được ghi lại; vui lòng thử lại sau.")),
    }


def render_error(code: int, detail: str | None = None):
    title, message = _messages().get(code, (_("Lỗi"), _("Đã có lỗi xảy ra.")))
    return render_template("error.html", code=code, title=title, message=detail or message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return render_error(400, _("Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF). Vui lòng tải lại trang và thử lại."))

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.code is None or err.code < 400:
            return err
        return render_error(err.code)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return http_error(err)
        current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
        try:
            return render_error(500)
        except Exception:  # the error page itself failed (e.g. the database is down)
            return InternalServerError.description, 500

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        if "uid" in session:
            # Pages of a signed-in officer hold case data: never keep them in a shared cache.
            response.headers["Cache-Control"] = "no-store"
        return response
