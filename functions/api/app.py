"""Claims API: look back at stored claims (by place, actor, source, watch), clusters, a watch's alerts
as Atom, and the map-and-timeline page. Reads only: every route is a GetItem, BatchGetItem or a
Query on a key (src/claimwatch/store/claim_queries.py); the logic is in src/claimwatch/api/.
"""

import json

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from claimwatch.api import formats, pages
from claimwatch.api.params import ApiError, ListRequest, limit, unknown
from claimwatch.api.service import ClaimsApi
from claimwatch.settings import ApiSettings
from claimwatch.store import aws
from claimwatch.store.claim_queries import ClaimQueries

logger = Logger()
tracer = Tracer(patch_modules=aws.TRACED_MODULES)
app = APIGatewayHttpResolver()

settings = ApiSettings.from_env()
api = ClaimsApi(
    ClaimQueries(
        settings.claims_table,
        settings.mentions_table,
        settings.novelty_table,
        settings.alerts_table,
        settings.watches_table,
    )
)
JSON = "application/json"


def _params(*allowed: str) -> dict:
    params = app.current_event.query_string_parameters or {}
    unknown(params, allowed)
    return params


def _base_url() -> str:
    return pages.base_url(app.current_event.headers, app.current_event.request_context.domain_name)


def _listing(req: ListRequest) -> Response:
    listing = api.list_claims(req)
    if req.format == "geojson":
        return Response(200, formats.GEOJSON_TYPE, json.dumps(formats.geojson(listing), ensure_ascii=False))
    return Response(200, JSON, json.dumps(listing, ensure_ascii=False))


def _file(name: str) -> Response:
    body, content_type = pages.asset(name)
    return Response(200, content_type, body, headers={**pages.SECURITY_HEADERS, "Cache-Control": "max-age=300"})


@app.get("/")
def page() -> Response:
    _params()
    return _file("index.html")


@app.get("/static/<name>")
def static_file(name: str) -> Response:
    _params()
    return _file(name)


@app.get("/claims")
def claims() -> Response:
    return _listing(ListRequest.parse(app.current_event.query_string_parameters))


@app.get("/claims/<claim_id>")
def claim(claim_id: str) -> dict:
    _params()
    return api.claim(claim_id)


@app.get("/clusters/<cluster_id>")
def cluster(cluster_id: str) -> dict:
    _params()
    return api.cluster(cluster_id)


@app.get("/watches")
def watches() -> dict:
    _params()
    return api.watches()


@app.get("/watches/<watch_id>/claims")
def watch_claims(watch_id: str) -> Response:
    return _listing(ListRequest.parse(app.current_event.query_string_parameters, watch=watch_id))


@app.get("/watches/<watch_id>/alerts.atom")
def watch_alerts(watch_id: str) -> Response:
    watch, sent = api.alerts(watch_id, limit(_params("limit")))
    base = _base_url()
    body = formats.atom_feed(watch, sent, base, f"{base}{app.current_event.raw_path}")
    return Response(200, formats.ATOM_TYPE, body)


@app.exception_handler(ApiError)
def api_error(err: ApiError) -> Response:
    return Response(err.status, JSON, json.dumps(err.body(), ensure_ascii=False))


@app.not_found
def not_found(_err) -> Response:
    path = app.current_event.raw_path
    return api_error(ApiError(404, f"no route {app.current_event.request_context.http.method} {path[:100]}"))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
