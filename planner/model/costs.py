"""Monthly cost of every cloud and edge component, for a batch of scenarios × months.

Shapes: n scenarios, M months (month 0 starts at go-live). A `Component` is `amount × factor`, where
`amount` is a per-scenario figure (n, 1) and `factor` a per-month profile (1, M) or (n, M): growth,
price changes, refresh schedules. Keeping the two apart means a component costs no memory traffic until
someone asks for its values, and totals multiply once per distinct factor, not once per component.

The formulas, in the order of `COMPONENTS`, with units (see also docs/FORMULAS.md):

    operating_s      = hours_per_day × 3600 × days_per_month                         [s/month]
    images           = cameras × analysed_fps × operating_s × growth(m)               [images/month]
    upload_gb        = video: cameras × bitrate_mbps × 10⁶/8 × operating_s / 10⁹ × growth(m)
                       frames: images × image_kb / 10⁶                                [GB/month]
    growth(m)        = (1 + workload_growth_percent_per_year/100)^(m/12); price changes alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from planner.model.pricing import pad_schedules, tiered_cost
from planner.schema.scenario import FIELDS, VIEWS, ChoiceField, NumberField, Scenario

DAYS_PER_CALENDAR_MONTH = 365.25 / 12
HOURS_PER_CALENDAR_MONTH = DAYS_PER_CALENDAR_MONTH * 24


def excel_tiers(quantity: str, name: str) -> str:
    """The workbook's marginal tiers of `quantity` (a formula): Σ max(q − start, 0) × (price − previous price) over
    the named tier ranges `{name}_start` and `{name}_step`."""
    return f"SUMPRODUCT((({quantity})>{name}_start)*(({quantity})-{name}_start)*{name}_step)"


@dataclass(frozen=True)
class ComponentInfo:
    """One cost or carbon line, declared once: its docs/FORMULAS.md row, its workbook formula and who pays it.
    Its numpy terms are built under the same key by `evaluate`."""

    key: str
    side: str  # "cloud" or "edge"
    label: str
    bill: str  # who sends the bill, so a finance reader can match it
    formula: str  # docs/FORMULAS.md's formula, in words and symbols
    views: tuple[str, ...] = VIEWS
    lump: bool = False  # paid at the start of its month (capex) rather than accrued evenly
    excel: str = ""  # the workbook's formula for one month: `{col}` this month's Monthly column, bare names inputs
    note: str = ""  # when the line applies, if not always (docs/FORMULAS.md)


COMPONENTS: tuple[ComponentInfo, ...] = (
    ComponentInfo(
        "site_uplink",
        "cloud",
        "Site uplink (video to cloud)",
        "Site ISP / carrier",
        "max(upload_gb − sites × link_allowance_gb, 0) × uplink_per_gb × bandwidth_change(m)",
        excel="MAX({upload_gb}-sites*link_allowance_gb,0)*uplink_per_gb*{bandwidth_change}",
    ),
    ComponentInfo(
        "link_rental",
        "cloud",
        "Site line and link upgrade",
        "Site ISP / carrier",
        "sites × (link_per_month + link_upgrade_per_month), + sites × link_upgrade_install in month 1",
        excel="sites*(link_per_month+link_upgrade_per_month+IF({m}=0,link_upgrade_install,0))",
    ),
    ComponentInfo(
        "cloud_ingest",
        "cloud",
        "Cloud ingest",
        "Cloud provider",
        "upload_gb × ingest_per_gb × bandwidth_change(m)",
        excel="{upload_gb}*ingest_per_gb*{bandwidth_change}",
    ),
    ComponentInfo(
        "inference",
        "cloud",
        "Cloud inference",
        "Cloud provider",
        "per-image: (1 − discount%) × tiers(images) × fee_change(m); serverless: (1 − discount%) × images × "
        "(ms/1000 × memory_gb × per_gb_second + per_million_requests/10⁶) × fee_change(m); instances: "
        "instances(m) × billed_hours × instance_rate × fee_change(m)",
        excel='IF(inference_pricing="per_image",(1-inference_discount_percent/100)*'
        + excel_tiers("{images}", "inference_tier")
        + ',IF(inference_pricing="serverless",'
        "(1-inference_discount_percent/100)*{images}*serverless_per_image,"
        "{instances}*billed_hours*instance_rate))*{fee_change}",
    ),
    ComponentInfo(
        "commitment_upfront",
        "cloud",
        "Instance commitment, upfront",
        "Cloud provider",
        "commitments_bought(m) × upfront_per_instance × fee_change(m)",
        views=("cash",),
        lump=True,
        excel="{commitments_bought}*upfront_per_instance*{fee_change}",
    ),
    ComponentInfo(
        "commitment_spread",
        "cloud",
        "Instance commitment, upfront spread over the term",
        "Accounting",
        "instances(m) × upfront_per_instance / term_months × fee_change(m)",
        views=("accounting",),
        excel="{instances}*upfront_per_instance/MAX(term_months,1)*{fee_change}",
    ),
    ComponentInfo(
        "results_egress",
        "cloud",
        "Results egress to site",
        "Cloud provider",
        "tiers(images × result_kb / 10⁶ GB) × bandwidth_change(m)",
        excel=excel_tiers("{images}*result_kb/10^6", "egress_tier") + "*{bandwidth_change}",
    ),
    ComponentInfo(
        "cloud_storage",
        "cloud",
        "Cloud storage",
        "Cloud provider",
        "upload_gb × stored_months(m) × storage_per_gb_month × fee_change(m)",
        excel="{upload_gb}*{stored_months}*storage_per_gb_month*{fee_change}",
    ),
    ComponentInfo(
        "hardware",
        "edge",
        "Edge hardware",
        "Hardware vendor",
        "devices_bought(m) × device_price − devices_retired(m) × device_price × salvage_percent/100",
        views=("cash",),
        lump=True,
        excel="{devices_bought}*device_price-{devices_retired}*device_price*salvage_percent/100",
    ),
    ComponentInfo(
        "installation",
        "edge",
        "Installation",
        "Installer",
        "devices_bought(m) × install_per_device × inflation(m)",
        views=("cash",),
        lump=True,
        excel="{devices_bought}*install_per_device*{inflation}",
    ),
    ComponentInfo(
        "depreciation",
        "edge",
        "Depreciation (hardware + installation)",
        "Accounting",
        "(devices(m) × (device_price − salvage) + installed_at_inflation(m) × install_per_device) / useful_life_months",
        views=("accounting",),
        excel="({devices}*(device_price-device_price*salvage_percent/100)+{installed_at_inflation}*install_per_device)"
        "/useful_life_months",
    ),
    ComponentInfo(
        "failures",
        "edge",
        "Failure replacements",
        "Hardware vendor",
        "devices(m) × failure_percent_per_year/100/12 × (device_price + install_per_device × inflation(m))",
        excel="{devices}*failure_percent_per_year/100/12*(device_price+install_per_device*{inflation})",
    ),
    ComponentInfo(
        "management",
        "edge",
        "Management software",
        "Software vendor",
        "management_per_month × (devices(m) if per device else sites) × inflation(m)",
        excel='management_per_month*IF(management_basis="per_device",{devices},sites)*{inflation}',
    ),
    ComponentInfo(
        "electricity",
        "edge",
        "Electricity",
        "Utility",
        "devices(m) × device_watts/1000 × (operating_h + idle% × other_h) × pue × electricity_per_kwh × "
        "electricity_change(m)",
        excel="{devices}*device_watts/1000*(operating_h+idle_power_percent/100*other_h)*pue*electricity_per_kwh"
        "*{electricity_change}",
    ),
    ComponentInfo(
        "feedback_uplink",
        "edge",
        "Feedback upload",
        "Site ISP / carrier",
        "max(feedback_gb − sites × link_allowance_gb, 0) × uplink_per_gb × bandwidth_change(m)",
        excel="MAX({feedback_gb}-sites*link_allowance_gb,0)*uplink_per_gb*{bandwidth_change}",
    ),
    ComponentInfo(
        "link_rental_edge",
        "edge",
        "Site line",
        "Site ISP / carrier",
        "sites × link_per_month",
        excel="sites*link_per_month",
    ),
    ComponentInfo(
        "feedback_cloud",
        "edge",
        "Feedback ingest & storage",
        "Cloud provider",
        "feedback_gb × (ingest_per_gb × bandwidth_change(m) + stored_months(m) × storage_per_gb_month × fee_change(m))",
        excel="{feedback_gb}*(ingest_per_gb*{bandwidth_change}+{stored_months}*storage_per_gb_month*{fee_change})",
    ),
)
HORIZON_VALUE = "Value kept at the horizon"
ONLY_BOOK_VALUE = "only when `terminal_value` = book_value, in the horizon's last month"
COMPONENTS += (  # what is still owned at the horizon, counted back (a negative cost) in its last month
    ComponentInfo(
        "terminal_cloud",
        "cloud",
        "Unexpired commitment at the horizon",
        HORIZON_VALUE,
        "−Σ commitment_upfront(s) × (1 − (H − s) / term_months) over the commitments whose term runs past the "
        "horizon H = horizon_months (H − s < term_months), in month H − 1",
        views=("cash",),
        note=ONLY_BOOK_VALUE,
        excel='IF(AND(terminal_value="book_value",term_months>0,{m}=horizon_months-1),-upfront_per_instance*('
        "{commitments_bought}*{fee_change}*(1-1/term_months)+IF({m}=0,0,SUMPRODUCT(({range:m}>{m}+1-term_months)"
        "*{range:commitments_bought}*{range:fee_change}*(1-({m}+1-{range:m})/term_months)))),0)",
    ),
    ComponentInfo(
        "terminal_edge",
        "edge",
        "Devices' book value at the horizon",
        HORIZON_VALUE,
        "−Σ devices_bought(s) × (cost(s) − (cost(s) − salvage) × (H − s) / useful_life_months) over those in service "
        "at the horizon H = horizon_months (H − s ≤ useful_life_months), cost(s) = device_price + "
        "install_per_device × inflation(s), in month H − 1",
        views=("cash",),
        note=ONLY_BOOK_VALUE,
        excel='IF(AND(terminal_value="book_value",{m}=horizon_months-1),-({devices_bought}*(device_price+'
        "install_per_device*{inflation}-(device_price*(1-salvage_percent/100)+install_per_device*{inflation})"
        "/useful_life_months)+IF({m}=0,0,SUMPRODUCT(({range:m}>{m}-useful_life_months)*{range:devices_bought}*"
        "(device_price+install_per_device*{range:inflation}-(device_price*(1-salvage_percent/100)+install_per_device*"
        "{range:inflation})*({m}+1-{range:m})/useful_life_months)))),0)",
    ),
)
TERMINAL_KEYS = tuple(c.key for c in COMPONENTS if c.bill == HORIZON_VALUE)
CARBON_PRICE = "Internal carbon price"
ONLY_PRICED = "only when `carbon_price_per_tonne` > 0"
COMPONENTS += (  # carbon as money: empty lines unless carbon_price_per_tonne > 0
    ComponentInfo(
        "carbon_cloud",
        "cloud",
        "Carbon price",
        CARBON_PRICE,
        "cloud_kgco2e(m) / 1000 × carbon_price_per_tonne",
        note=ONLY_PRICED,
        excel="{cloud_kg}/1000*carbon_price_per_tonne",
    ),
    ComponentInfo(
        "carbon_edge_purchase",
        "edge",
        "Carbon price: devices bought",
        CARBON_PRICE,
        "devices_bought(m) × device_embodied_kgco2e / 1000 × carbon_price_per_tonne",
        views=("cash",),
        lump=True,
        note=ONLY_PRICED,
        excel="{devices_bought}*device_embodied_kgco2e/1000*carbon_price_per_tonne",
    ),
    ComponentInfo(
        "carbon_edge_embodied",
        "edge",
        "Carbon price: devices (spread)",
        CARBON_PRICE,
        "devices(m) × device_embodied_kgco2e / useful_life_months / 1000 × carbon_price_per_tonne",
        views=("accounting",),
        note=ONLY_PRICED,
        excel="{devices}*device_embodied_kgco2e/useful_life_months/1000*carbon_price_per_tonne",
    ),
    ComponentInfo(
        "carbon_edge",
        "edge",
        "Carbon price: operation",
        CARBON_PRICE,
        "(edge_energy + edge_failures + edge_network)(m) / 1000 × carbon_price_per_tonne",
        note=ONLY_PRICED,
        excel="({edge_energy}+{edge_failures}+{edge_network})/1000*carbon_price_per_tonne",
    ),
)
COMPONENT_BY_KEY = {c.key: c for c in COMPONENTS}
CARBON_PRICE_KEYS = tuple(c.key for c in COMPONENTS if c.bill == CARBON_PRICE)

# Carbon lines [kg CO₂e/month], the same shape as cost lines; `bill` names the GHG Protocol scope of the
# enterprise that runs the inference. Same views as money: embodied emissions at purchase (cash) or spread
# over the useful life (accounting).
SCOPE_2, SCOPE_3 = "Scope 2 (purchased electricity)", "Scope 3 (purchased goods and services)"
CARBON_COMPONENTS: tuple[ComponentInfo, ...] = (
    ComponentInfo(
        "cloud_energy",
        "cloud",
        "Cloud inference energy",
        SCOPE_3,
        "per-image, serverless: images × cloud_accelerator_s_per_inference × cloud_accelerator_watts / 3.6×10⁶ "
        "× cloud_pue × cloud_grid_kgco2e_per_kwh; instances: (busy_h × (1 − idle%) + idle% × instances(m) × "
        "billed_hours) × cloud_accelerator_watts / 1000 × cloud_pue × cloud_grid_kgco2e_per_kwh, with "
        "busy_h = images / instance_inferences_per_s / 3600 and idle% = cloud_accelerator_idle_percent",
        excel='IF(inference_pricing="instances",({images}/instance_inferences_per_s/3600'
        "*(1-cloud_accelerator_idle_percent/100)+cloud_accelerator_idle_percent/100*{instances}"
        "*billed_hours)*cloud_accelerator_watts/1000,"
        "{images}*cloud_accelerator_s_per_inference*cloud_accelerator_watts/3.6E6)*cloud_pue"
        "*cloud_grid_kgco2e_per_kwh",
    ),
    ComponentInfo(
        "cloud_network",
        "cloud",
        "Network energy (uploads, results)",
        SCOPE_3,
        "(upload_gb + result_gb) × network_kwh_per_gb × cloud_grid_kgco2e_per_kwh",
        excel="({upload_gb}+{result_gb})*network_kwh_per_gb*cloud_grid_kgco2e_per_kwh",
    ),
    ComponentInfo(
        "cloud_embodied",
        "cloud",
        "Cloud hardware (embodied share)",
        SCOPE_3,
        "per-image, serverless: images × cloud_accelerator_s_per_inference / 3600 × "
        "cloud_embodied_kgco2e_per_accelerator_hour; instances: instances(m) × billed_hours × "
        "cloud_embodied_kgco2e_per_accelerator_hour",
        excel='IF(inference_pricing="instances",{instances}*billed_hours,'
        "{images}*cloud_accelerator_s_per_inference/3600)*cloud_embodied_kgco2e_per_accelerator_hour",
    ),
    ComponentInfo(
        "edge_purchase",
        "edge",
        "Devices bought (embodied)",
        SCOPE_3,
        "devices_bought(m) × device_embodied_kgco2e",
        views=("cash",),
        lump=True,
        excel="{devices_bought}*device_embodied_kgco2e",
    ),
    ComponentInfo(
        "edge_embodied",
        "edge",
        "Devices (embodied, spread over life)",
        SCOPE_3,
        "devices(m) × device_embodied_kgco2e / useful_life_months",
        views=("accounting",),
        excel="{devices}*device_embodied_kgco2e/useful_life_months",
    ),
    ComponentInfo(
        "edge_failures",
        "edge",
        "Failure replacements (embodied)",
        SCOPE_3,
        "devices(m) × failure_percent_per_year/100/12 × device_embodied_kgco2e",
        excel="{devices}*failure_percent_per_year/100/12*device_embodied_kgco2e",
    ),
    ComponentInfo(
        "edge_energy",
        "edge",
        "Device energy",
        SCOPE_2,
        "devices(m) × device_watts/1000 × (operating_h + idle% × other_h) × pue × grid_kgco2e_per_kwh",
        excel="{devices}*device_watts/1000*(operating_h+idle_power_percent/100*other_h)*pue*grid_kgco2e_per_kwh",
    ),
    ComponentInfo(
        "edge_network",
        "edge",
        "Network energy (feedback uploads)",
        SCOPE_3,
        "feedback_gb × network_kwh_per_gb × cloud_grid_kgco2e_per_kwh",
        excel="{feedback_gb}*network_kwh_per_gb*cloud_grid_kgco2e_per_kwh",
    ),
)
CARBON_BY_KEY = {c.key: c for c in CARBON_COMPONENTS}

# Whole cash flows of both sides, for figures that are not one scenario's cost lines (a fleet programme's plans):
# what accrues through each month and what is paid at its start, in the cash view.
FLOWS: tuple[ComponentInfo, ...] = (
    ComponentInfo("cloud_running", "cloud", "Cloud, running", "Cloud provider", "Σ the cloud's accruing lines"),
    ComponentInfo(
        "cloud_upfront",
        "cloud",
        "Cloud, upfront",
        "Cloud provider",
        "Σ the cloud's upfront payments",
        views=("cash",),
        lump=True,
    ),
    ComponentInfo("edge_running", "edge", "Edge, running", "Edge suppliers", "Σ the edge's accruing lines"),
    ComponentInfo(
        "edge_capex", "edge", "Edge, capex", "Edge suppliers", "Σ the edge's capex", views=("cash",), lump=True
    ),
)


def side_components(
    side: str, view: str = "cash", registry: tuple[ComponentInfo, ...] = COMPONENTS
) -> tuple[ComponentInfo, ...]:
    """The components of one side in one view: money (`COMPONENTS`) or carbon (`CARBON_COMPONENTS`)."""
    return tuple(c for c in registry if c.side == side and view in c.views)


# ── Batches ─────────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Batch:
    """Inputs of n scenarios as columns: numeric fields as float arrays (n,), choices as bools."""

    n: int
    columns: dict[str, np.ndarray]
    inference_tiers: tuple[np.ndarray, np.ndarray]  # starts, prices: (1 or n, k)
    egress_tiers: tuple[np.ndarray, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    @property
    def max_horizon(self) -> int:
        return int(self.columns["horizon_months"].max())


CHOICE_FLAGS = {  # bool column = (choice field == value)
    "video_upload": ("cloud_upload", "video"),
    "per_image": ("inference_pricing", "per_image"),
    "instances": ("inference_pricing", "instances"),
    "always_on": ("instance_billing", "always_on"),
    "one_year": ("instance_commitment", "one_year"),
    "three_year": ("instance_commitment", "three_year"),
    "spot": ("instance_commitment", "spot"),
    "partial_upfront": ("instance_upfront", "partial"),
    "all_upfront": ("instance_upfront", "all"),
    "auto_sizing": ("device_sizing", "auto"),
    "per_device_fee": ("management_basis", "per_device"),
    "mid_month": ("discount_timing", "mid_month"),
    "book_value": ("terminal_value", "book_value"),
}


def _tiers_arrays(schedules):
    if all(s == schedules[0] for s in schedules):
        starts, prices = pad_schedules(schedules[:1])
    else:
        starts, prices = pad_schedules(schedules)
    return starts, prices


def batch(scenarios: list[Scenario], choices: dict[str, np.ndarray] | None = None, **overrides) -> Batch:
    """Columns for `scenarios`; `overrides` replaces numeric columns by arrays (or scalars) of length n, and
    `choices` choice fields by arrays of their options (a fleet's per-site choices).

    Overrides let what-if grids, Monte Carlo and fleets vary inputs without building n Scenario objects: they
    are validated against each field's bounds or options here (raising ValueError naming the field).
    """
    if not scenarios:
        raise ValueError("a batch needs at least one scenario")
    choices = {name: np.asarray(values, dtype=object) for name, values in (choices or {}).items()}
    for name, values in choices.items():
        spec = next((f for f in FIELDS if f.name == name), None)
        if not isinstance(spec, ChoiceField):
            raise ValueError(f"{name!r} is not a choice field of the scenario")
        if not np.isin(values, list(spec.options)).all():
            raise ValueError(f"{name}: every value must be one of {', '.join(spec.options)}")
    n = max([len(scenarios)] + [np.size(v) for v in (*overrides.values(), *choices.values())])
    if len(scenarios) not in (1, n):
        raise ValueError(f"{len(scenarios)} scenarios but overrides of length {n}")
    columns: dict[str, np.ndarray] = {}
    for spec in FIELDS:
        if isinstance(spec, NumberField):
            col = np.array([getattr(s, spec.name) for s in scenarios], dtype=float)
            columns[spec.name] = np.broadcast_to(col, (n,)).copy() if col.size != n else col
    for name, values in overrides.items():
        spec = next((f for f in FIELDS if f.name == name), None)
        if not isinstance(spec, NumberField):
            raise ValueError(f"{name!r} is not a numeric scenario field")
        arr = np.broadcast_to(np.asarray(values, dtype=float), (n,)).copy()
        if spec.integer:
            arr = np.round(arr)
        bad = ~np.isfinite(arr) | (arr < spec.min) | (arr > spec.max)
        if bad.any():
            raise ValueError(f"{name} = {arr[bad][0]:g} is outside {spec.min:g} to {spec.max:g} {spec.unit_for()}")
        columns[name] = arr
    for flag, (name, value) in CHOICE_FLAGS.items():
        given = choices.get(name)
        col = (given == value) if given is not None else np.array([getattr(s, name) == value for s in scenarios])
        columns[flag] = np.broadcast_to(col, (n,)) if col.size != n else col
    tiers = {
        key: _tiers_arrays([[(t.start, t.price) for t in getattr(s, key)] for s in scenarios])
        for key in ("inference_tiers", "egress_tiers")
    }
    return Batch(n, columns, **tiers)


# ── Per-month factors ───────────────────────────────────────────────────────────────────────────────
def _col(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=float)[:, None]


def _uniform(x: np.ndarray) -> bool:
    return bool(np.all(x == x[0]))


ONE = np.ones((1, 1))  # the factor of a cost that is the same every month


class Factors:
    """Per-month compounding profiles Π (1 + p/100)^(m/12), built once per distinct set of rates.

    A profile is (1, M) when every scenario has the same rates (the common case), (n, M) otherwise,
    and ONE when the rates are all zero. Equal profiles are the same object, so `sum_terms` groups them.
    """

    def __init__(self, months: int):
        self.months = months
        self._made: dict[bytes, np.ndarray] = {}

    def __call__(self, *percent_per_year: np.ndarray) -> np.ndarray:
        log_rate = sum(np.log1p(np.asarray(p, dtype=float) / 100) for p in percent_per_year)
        if _uniform(log_rate):
            log_rate = log_rate[:1]
        key = log_rate.tobytes()
        if key not in self._made:
            m = np.arange(self.months, dtype=float) / 12
            self._made[key] = ONE if not log_rate.any() else np.exp(_col(log_rate) * m)
        return self._made[key]


def retention_months(retention_days: np.ndarray) -> np.ndarray:
    """Retention R [months] of a retention in days."""
    return np.asarray(retention_days, dtype=float) / DAYS_PER_CALENDAR_MONTH


def stored_months(months: int, retention_days: np.ndarray) -> np.ndarray:
    """Average months of upload held in storage during month m, with retention R = days / 30.44.

    Uploads arrive evenly; data older than R months is deleted. Stored volume at time t is
    rate × min(t, R), so the month's average is ∫ₘ^{m+1} min(t, R) dt / 1 month.
    """
    r = retention_months(retention_days)
    r = r[:1] if _uniform(r) else r
    m = np.arange(months, dtype=float)[None, :]
    a = np.clip(_col(r), m, m + 1)
    return (a * a - m * m) / 2 + _col(r) * (m + 1 - a)


@dataclass(frozen=True)
class Component:
    """amount (n, 1) × factor (1 or n, M, or ONE): one term of a cost line, kept as a lazy product."""

    amount: np.ndarray
    factor: np.ndarray

    def scaled(self, amount: np.ndarray, factor: np.ndarray | None = None) -> "Component":
        """This term × amount (n, 1) [× factor]; multiplies grids only when both terms have one."""
        if factor is None or factor is ONE:
            return Component(self.amount * amount, self.factor)
        return Component(self.amount * amount, factor if self.factor is ONE else self.factor * factor)


Line = tuple[Component, ...]  # a cost line: the sum of its terms


def _grouped(terms) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[tuple[np.ndarray, np.ndarray]]]:
    """Terms summed per distinct factor, split into shared factors (1, M) and per-scenario grids (n, M)."""
    by_factor: dict[int, list[Component]] = {}
    for term in terms:
        by_factor.setdefault(id(term.factor), []).append(term)
    groups = [(sum(t.amount for t in g), g[0].factor) for g in by_factor.values()]
    return [g for g in groups if g[1].shape[0] == 1], [g for g in groups if g[1].shape[0] > 1]


def sum_terms(terms, n: int, months: int) -> np.ndarray:
    """Σ terms as one (n, M) array.

    Terms whose factor is shared by every scenario reduce to one matrix product,
    amounts (n, k) @ factors (k, M); each per-scenario grid adds one multiply-add.
    """
    shared, dense = _grouped(terms)
    if shared:
        amounts = np.hstack([np.broadcast_to(a, (n, 1)) for a, _ in shared])
        factors = np.vstack([np.broadcast_to(f, (1, months)) for _, f in shared])
        total = amounts @ factors
    else:
        total = np.zeros((n, months))
    scratch = None
    for amount, factor in dense:
        if np.all(amount == 1):
            total += factor
            continue
        scratch = np.empty((n, months)) if scratch is None else scratch
        np.multiply(amount, factor, out=scratch)
        total += scratch
    return total


def weighted_sums(terms, n: int, weights: np.ndarray) -> np.ndarray:
    """Σₘ Σ terms(m) × weights(m) per scenario, without building the (n, M) total.

    weights : (1 or n, M), e.g. a horizon mask or discount factors.
    """
    shared, dense = _grouped(terms)
    out = np.zeros(n)
    for amount, factor in shared:
        per_month = np.broadcast_to(factor, (1, weights.shape[1])) * weights
        out += amount[:, 0] * per_month.sum(axis=1)
    for amount, factor in dense:
        shape = (n, weights.shape[1])
        out += amount[:, 0] * np.einsum("nm,nm->n", np.broadcast_to(factor, shape), np.broadcast_to(weights, shape))
    return out


def terms_at(terms, n: int, month: np.ndarray) -> np.ndarray:
    """Σ terms at one month per scenario: month (n,) of integer indices."""
    rows = np.arange(n)
    out = np.zeros(n)
    for term in terms:
        f = np.broadcast_to(term.factor, (n if term.factor.shape[0] > 1 else 1, max(term.factor.shape[1], 1)))
        picked = f[rows if f.shape[0] > 1 else 0, np.minimum(month, f.shape[1] - 1)]
        out += np.broadcast_to(term.amount[:, 0], (n,)) * picked
    return out


# ── The model ───────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Costs:
    """Every cost line for n scenarios × M months, plus the quantities behind them."""

    n: int
    months: int
    horizon: np.ndarray  # (n,) months each scenario covers
    lines: dict[str, Line]  # keyed as COMPONENTS
    quantities: dict[str, Line]  # images, GB, devices, instances and the per-month factors, per month
    carbon: dict[str, Line] = field(default_factory=dict)  # kg CO₂e per month, keyed as CARBON_COMPONENTS
    registry: tuple[ComponentInfo, ...] = COMPONENTS  # what `lines` holds: cost lines, or `FLOWS`
    discount_mid_month: np.ndarray | bool = False  # (n,) discount_timing is mid_month (finance's NPV)
    tax_rate_percent: np.ndarray | float = 0.0  # (n,) corporate tax rate (finance's after-tax NPV and IRR)

    def values(self, key: str) -> np.ndarray:
        """(n, M) monthly values of one cost line, carbon line or quantity."""
        line = next(found[key] for found in (self.lines, self.carbon, self.quantities) if key in found)
        return sum_terms(line, self.n, self.months)

    def terms(
        self, side: str, view: str = "cash", lump: bool | None = None, sign: float = 1.0, carbon: bool = False
    ) -> list[Component]:
        """The terms of one side; `lump` selects only capex (True) or only accruing costs (False); `carbon`
        gives the side's emissions [kg CO₂e] instead of its money."""
        if carbon and not self.carbon:
            raise ValueError("these costs were evaluated without their emissions: evaluate(..., carbon=True)")
        registry, lines = (CARBON_COMPONENTS, self.carbon) if carbon else (self.registry, self.lines)
        keys = [c.key for c in side_components(side, view, registry) if lump in (None, c.lump)]
        return [t if sign == 1 else Component(sign * t.amount, t.factor) for k in keys for t in lines[k]]

    def total(self, side: str, view: str = "cash", lump: bool | None = None) -> np.ndarray:
        """(n, M) monthly total of one side."""
        return sum_terms(self.terms(side, view, lump), self.n, self.months)


def scenario_figures(b: Batch) -> dict[str, np.ndarray]:
    """The per-scenario figures (n,) the monthly lines are built from, under the names the workbook's Inputs
    sheet gives them (docs/FORMULAS.md)."""
    operating_h = b["hours_per_day"] * b["days_per_month"]
    rate, upfront, term = instance_rates(b)
    return {
        "operating_s": b["hours_per_day"] * 3600 * b["days_per_month"],
        "operating_h": operating_h,
        "other_h": np.maximum(HOURS_PER_CALENDAR_MONTH - operating_h, 0),
        "retention_months": retention_months(b["retention_days"]),
        "per_site_devices": b["cameras"]
        / b["sites"]
        * b["analysed_fps"]
        * (1 + b["sizing_headroom_percent"] / 100)
        / b["device_throughput_ips"],  # before rounding up
        "serverless_per_image": b["serverless_ms_per_inference"]
        / 1000
        * b["serverless_memory_gb"]
        * b["serverless_per_gb_second"]
        + b["serverless_per_million_requests"] / 1e6,
        "instance_load": b["cameras"]
        * b["analysed_fps"]
        * (1 + b["instance_headroom_percent"] / 100)
        / b["instance_inferences_per_s"],  # instances before rounding up
        "term_months": term,
        "upfront_share": _upfront_share(b, term),
        "instance_rate": rate,
        "upfront_per_instance": upfront,
        "billed_hours": billed_hours(b),
    }


def evaluate(b: Batch, months: int | None = None, carbon: bool = True) -> Costs:
    """Monthly cost of every component for the batch over `months` (default: the longest horizon).

    `carbon=False`: the emissions lines are left out of `Costs.carbon` (for callers that read money only), and
    built only when a scenario prices carbon, for its carbon-price lines."""
    M = int(months or b.max_horizon)
    col = _col

    compound = Factors(M)
    growth = compound(b["workload_growth_percent_per_year"])
    bandwidth = compound(b["workload_growth_percent_per_year"], b["bandwidth_price_change_percent_per_year"])
    fees = compound(b["workload_growth_percent_per_year"], b["cloud_fee_change_percent_per_year"])
    stored = stored_months(M, b["retention_days"])
    fees_stored = _times(stored, fees)

    # Month-0 quantities per scenario (n,)
    figures = scenario_figures(b)
    operating_s = figures["operating_s"]
    images = b["cameras"] * b["analysed_fps"] * operating_s
    video_gb = b["cameras"] * b["bitrate_mbps"] * (1e6 / 8) * operating_s / 1e9
    upload_gb = np.where(b["video_upload"], video_gb, images * b["image_kb"] / 1e6)
    result_gb = images * b["result_kb"] / 1e6
    feedback_gb = images * b["feedback_percent"] / 100 * b["image_kb"] / 1e6

    lines: dict[str, Line] = {}
    bandwidth_price = compound(b["bandwidth_price_change_percent_per_year"])
    lines["site_uplink"] = _metered(b, upload_gb, growth, bandwidth, bandwidth_price)
    first = (np.arange(M) == 0).astype(float)[None, :]
    lines["link_rental"] = (
        Component(col(b["sites"] * (b["link_per_month"] + b["link_upgrade_per_month"])), ONE),
        Component(col(b["sites"] * b["link_upgrade_install"]), first),
    )
    lines["link_rental_edge"] = (Component(col(b["sites"] * b["link_per_month"]), ONE),)
    lines["cloud_ingest"] = (Component(col(upload_gb * b["ingest_per_gb"]), bandwidth),)

    per_image = b["per_image"]
    list_share = col(1 - b["inference_discount_percent"] / 100)  # what is paid of the list price
    inference = []
    if per_image.any():
        starts, prices = b.inference_tiers
        tiered = _tiered(images, starts, prices / 1000, growth, compound(b["cloud_fee_change_percent_per_year"]), fees)
        inference.append(tiered.scaled(col(per_image) * list_share))
    serverless = ~per_image & ~b["instances"]
    if serverless.any():
        inference.append(Component(col(serverless * images * figures["serverless_per_image"]) * list_share, fees))
    none = Component(np.zeros((b.n, 1)), ONE)
    instances = (none, none, none)
    if b["instances"].any():
        instances = in_service, bought, _ = _instances(b, figures, growth, M)
        fee_change = compound(b["cloud_fee_change_percent_per_year"])
        rate, upfront, term = (
            col(figures[k] * b["instances"]) for k in ("instance_rate", "upfront_per_instance", "term_months")
        )
        inference.append(in_service.scaled(rate * col(figures["billed_hours"]), fee_change))
        lines["commitment_upfront"] = (bought.scaled(upfront, fee_change),)
        lines["commitment_spread"] = (in_service.scaled(upfront / np.maximum(term, 1), fee_change),)
    else:
        lines["commitment_upfront"] = lines["commitment_spread"] = (none,)
    lines["inference"] = tuple(inference)
    lines["results_egress"] = (
        _tiered(result_gb, *b.egress_tiers, growth, compound(b["bandwidth_price_change_percent_per_year"]), bandwidth),
    )
    lines["cloud_storage"] = (Component(col(upload_gb * b["storage_per_gb_month"]), fees_stored),)

    devices, bought, added = _fleet(b, figures["per_site_devices"], growth, M)
    price, install = col(b["device_price"]), col(b["install_per_device"])
    salvage = price * col(b["salvage_percent"]) / 100
    # price × bought − salvage × retired, with retired = bought − added (devices new to the fleet)
    lines["hardware"] = (bought.scaled(price - salvage), added.scaled(salvage))
    # Labour, licences and support follow general inflation; a device's installation is capitalised at its price
    # in the month it is bought (what the depreciation spreads).
    inflation = compound(b["inflation_percent_per_year"])
    installed_at_inflation = _installed_at_inflation(b, bought, inflation, devices, M)
    life = col(b["useful_life_months"])
    lines["installation"] = (bought.scaled(install, inflation),)
    lines["depreciation"] = (devices.scaled((price - salvage) / life), installed_at_inflation.scaled(install / life))
    failure_share = col(b["failure_percent_per_year"]) / 100 / 12
    lines["failures"] = (devices.scaled(failure_share * price), devices.scaled(failure_share * install, inflation))
    per_device_fee = col(b["per_device_fee"])
    lines["management"] = (
        devices.scaled(col(b["management_per_month"]) * per_device_fee, inflation),
        Component(col(b["management_per_month"] * b["sites"]) * (1 - per_device_fee), inflation),
    )
    powered_h = figures["operating_h"] + b["idle_power_percent"] / 100 * figures["other_h"]
    kwh_per_device = b["device_watts"] / 1000 * powered_h * b["pue"]
    lines["electricity"] = (
        devices.scaled(
            col(kwh_per_device * b["electricity_per_kwh"]), compound(b["electricity_price_change_percent_per_year"])
        ),
    )
    lines["feedback_uplink"] = _metered(b, feedback_gb, growth, bandwidth, bandwidth_price)
    lines["feedback_cloud"] = (
        Component(col(feedback_gb * b["ingest_per_gb"]), bandwidth),
        Component(col(feedback_gb * b["storage_per_gb_month"]), fees_stored),
    )

    lines["terminal_cloud"], lines["terminal_edge"] = _terminal_values(
        b, lines["commitment_upfront"], figures["term_months"], bought, inflation, M
    )

    priced_carbon = b["carbon_price_per_tonne"].any()
    emissions = (
        _carbon(b, images, upload_gb + result_gb, feedback_gb, growth, devices, bought, kwh_per_device, instances[0])
        if carbon or priced_carbon
        else {}
    )
    price_per_kg = col(b["carbon_price_per_tonne"]) / 1000
    priced = lambda *keys: tuple(t.scaled(price_per_kg) for k in keys for t in emissions[k])  # noqa: E731
    if priced_carbon:
        lines["carbon_cloud"] = priced(*(c.key for c in side_components("cloud", "cash", CARBON_COMPONENTS)))
        lines["carbon_edge_purchase"] = priced("edge_purchase")
        lines["carbon_edge_embodied"] = priced("edge_embodied")
        lines["carbon_edge"] = priced("edge_energy", "edge_failures", "edge_network")
    else:
        lines.update(dict.fromkeys(CARBON_PRICE_KEYS, ()))

    ones = np.ones((b.n, 1))
    quantities = {
        "growth": (Component(ones, growth),),
        "bandwidth_change": (Component(ones, compound(b["bandwidth_price_change_percent_per_year"])),),
        "fee_change": (Component(ones, compound(b["cloud_fee_change_percent_per_year"])),),
        "electricity_change": (Component(ones, compound(b["electricity_price_change_percent_per_year"])),),
        "inflation": (Component(ones, inflation),),
        "installed_at_inflation": (installed_at_inflation,),
        "stored_months": (Component(ones, stored),),
        "images": (Component(col(images), growth),),
        "upload_gb": (Component(col(upload_gb), growth),),
        "result_gb": (Component(col(result_gb), growth),),
        "feedback_gb": (Component(col(feedback_gb), growth),),
        "devices": (devices,),
        "devices_added": (added,),
        "devices_bought": (bought,),
        "devices_retired": (bought, Component(-added.amount, added.factor)),  # bought − added
        "instances": (instances[0],),
        "commitments_running": (instances[2],),
        "commitments_bought": (instances[1],),
    }
    return Costs(
        b.n,
        M,
        b["horizon_months"].astype(int),
        lines,
        quantities,
        emissions if carbon else {},
        discount_mid_month=b["mid_month"],
        tax_rate_percent=b["tax_rate_percent"],
    )


def _carbon(
    b: Batch,
    images,
    network_gb,
    feedback_gb,
    growth,
    devices: Component,
    bought: Component,
    kwh_per_device,
    instances: Component,
) -> dict[str, Line]:
    """Emissions lines [kg CO₂e/month] from the month-0 quantities (n,) and the fleet's and instances' count terms.

    GPU instances emit what is billed: the accelerator busy for images ÷ the throughput the instances are sized
    with, and idle (at cloud_accelerator_idle_percent of its power) for the rest of the billed hours; their
    embodied share follows the billed hours. Per-image and serverless use the accelerator time per inference.
    """
    col = _col
    cloud_grid = b["cloud_grid_kgco2e_per_kwh"]
    on_instances = b["instances"]
    with np.errstate(divide="ignore"):
        busy_h_per_image = (
            np.where(on_instances, 1 / b["instance_inferences_per_s"], b["cloud_accelerator_s_per_inference"]) / 3600
        )
    kg_per_full_h = b["cloud_accelerator_watts"] / 1000 * b["cloud_pue"] * cloud_grid
    idle = np.where(on_instances, b["cloud_accelerator_idle_percent"] / 100, 0.0)
    billed_h = np.where(on_instances, billed_hours(b), 0.0)  # per instance in service
    embodied_per_h = b["cloud_embodied_kgco2e_per_accelerator_hour"]
    embodied = col(b["device_embodied_kgco2e"])
    return {
        "cloud_energy": (
            Component(col(images * busy_h_per_image * (1 - idle) * kg_per_full_h), growth),
            instances.scaled(col(idle * billed_h * kg_per_full_h)),
        ),
        "cloud_network": (Component(col(network_gb * b["network_kwh_per_gb"] * cloud_grid), growth),),
        "cloud_embodied": (
            Component(col(images * busy_h_per_image * ~on_instances * embodied_per_h), growth),
            instances.scaled(col(billed_h * embodied_per_h)),
        ),
        "edge_purchase": (bought.scaled(embodied),),
        "edge_embodied": (devices.scaled(embodied / col(b["useful_life_months"])),),
        "edge_failures": (devices.scaled(col(b["failure_percent_per_year"]) / 100 / 12 * embodied),),
        "edge_energy": (devices.scaled(col(kwh_per_device * b["grid_kgco2e_per_kwh"])),),
        "edge_network": (Component(col(feedback_gb * b["network_kwh_per_gb"] * cloud_grid), growth),),
    }


def _fleet(
    b: Batch, per_site_devices: np.ndarray, growth: np.ndarray, M: int
) -> tuple[Component, Component, Component]:
    """Devices in service, devices bought, and devices added to the fleet per month, as count terms.

    Auto sizing, per site (cameras spread evenly over the sites), growing with the workload:
        sites × ceil(cameras/sites × fps × growth(m) × (1 + headroom%) ÷ throughput).
    Each device is replaced `useful_life_months` after its purchase (refresh) and the retired one is
    sold for its salvage value: bought(m) = added(m) + bought(m − life).
    """
    base = np.where(b["auto_sizing"], b["sites"] * np.ceil(per_site_devices - 1e-9), b["devices_manual"])
    life = b["useful_life_months"].astype(int)
    months = np.arange(M)
    # The same test as `Factors` (a rate too small to change log1p is no growth at all).
    grows = b["auto_sizing"] & (np.log1p(b["workload_growth_percent_per_year"] / 100) > 0)
    if not grows.any():  # a fixed fleet, bought at 0, L, 2L, …
        refresh = (months % col_int(life[:1] if _uniform(life) else life) == 0).astype(float)
        first = (months == 0).astype(float)[None, :]
        return Component(_col(base), ONE), Component(_col(base), refresh), Component(_col(base), first)
    # Growing rows: growth ≥ 0 makes `needed` non-decreasing month by month.
    needed = _col(b["sites"]) * np.ceil(_col(per_site_devices) * growth - 1e-9)
    fleet = needed if grows.all() else np.where(_col(grows), needed, _col(base))
    added = np.diff(fleet, axis=1, prepend=0.0)
    ones = np.ones((b.n, 1))
    return Component(ones, fleet), Component(ones, _with_renewals(added, life)), Component(ones, added)


def _metered(b: Batch, gb: np.ndarray, growth: np.ndarray, both: np.ndarray, price_change: np.ndarray) -> Line:
    """The site line's bill for `gb` (n,) a month at go-live, growing with the workload: every GB above the data
    the line includes (sites × link_allowance_gb) at uplink_per_gb, × the bandwidth price change. Without an
    allowance a lazy term (`both` = growth × price change)."""
    allowance = b["sites"] * b["link_allowance_gb"]
    if not allowance.any():
        return (Component(_col(gb * b["uplink_per_gb"]), both),)
    billed = np.maximum(_col(gb) * growth - _col(allowance), 0.0)
    return (Component(_col(b["uplink_per_gb"]), _times(billed, price_change)),)


def _terminal_values(
    b: Batch, upfront: Line, term: np.ndarray, bought: Component, inflation: np.ndarray, M: int
) -> tuple[Line, Line]:
    """(cloud, edge) value still owned at the horizon H, as a negative cost in month H − 1 of the rows that count
    it (`terminal_value` = book_value): the unexpired share of each upfront commitment payment, and each device's
    book value, its cost (price + installation at its purchase month's inflation) less straight-line depreciation
    down to salvage over its useful life."""
    counted = b["book_value"]
    if not counted.any():
        return (), ()
    n = b.n
    horizon = col_int(b["horizon_months"])
    age = horizon - np.arange(M)[None, :]  # months from each purchase to the horizon (≤ 0: after it)
    last = (age == 1).astype(float)  # the horizon's last month
    committed = _col(term) > 0
    unexpired = np.where(committed & (age >= 1), np.clip(1 - age / np.where(committed, _col(term), 1), 0, 1), 0.0)
    cloud = (sum_terms(upfront, n, M) * unexpired).sum(axis=1)
    life = _col(b["useful_life_months"])
    price, salvage = _col(b["device_price"]), _col(b["device_price"] * b["salvage_percent"] / 100)
    cost = price + _col(b["install_per_device"]) * inflation
    in_service = (age >= 1) & (age <= life)
    book = np.where(in_service, cost - (cost - salvage) * age / life, 0.0)
    edge = (sum_terms([bought], n, M) * book).sum(axis=1)
    return (Component(_col(-cloud * counted), last),), (Component(_col(-edge * counted), last),)


def _installed_at_inflation(b: Batch, bought: Component, inflation: np.ndarray, devices: Component, M: int):
    """Devices in service, each weighted by the inflation of the month it was bought, as a count term:
        installed_at_inflation(m) = Σ bought(s) × inflation(s) for m − useful_life_months < s ≤ m
    (each device is bought again after its life, so without inflation this is devices(m))."""
    if inflation is ONE:
        return devices
    weighted = sum_terms([bought], b.n, M) * inflation
    running = np.cumsum(weighted, axis=1)
    life = col_int(b["useful_life_months"])
    before = np.arange(M)[None, :] - life  # the running sum up to s = m − life drops out
    dropped = np.where(before >= 0, np.take_along_axis(running, np.clip(before, 0, M - 1), axis=1), 0.0)
    return Component(np.ones((b.n, 1)), running - dropped)


def _with_renewals(added: np.ndarray, life: np.ndarray) -> np.ndarray:
    """(n, M) purchases when each unit added in month m is bought again every `life` months: added(m) +
    bought(m − life). life (n,) in whole months; a life of 0 means no renewal."""
    M = added.shape[1]
    bought = added.copy()
    if _uniform(life):
        for start in range(life[0], M, life[0]) if life[0] > 0 else ():  # each cycle, not each month
            bought[:, start:] += added[:, : M - start]
    else:
        months = np.arange(M)
        for cycle in range(1, M // max(int(life[life > 0].min()), 1) + 1):
            src = months - cycle * col_int(life)
            bought += np.where(
                (src >= 0) & (col_int(life) > 0), np.take_along_axis(added, np.clip(src, 0, M - 1), axis=1), 0.0
            )
    return bought


# ── Cloud GPU instances ─────────────────────────────────────────────────────────────────────────────
COMMITMENT_MONTHS = {"one_year": 12, "three_year": 36}


def _instances(
    b: Batch, figures: dict[str, np.ndarray], growth: np.ndarray, M: int
) -> tuple[Component, Component, Component]:
    """Instances in service, commitments bought and commitments still running (bought before) per month, as
    count terms.

    Sized like edge devices but for the whole region, re-sized every month as the workload grows:
        instances(m) = max(instance_min_count, ceil(cameras × analysed_fps × growth(m) × (1 + headroom%)
                                                    ÷ instance_inferences_per_s)).
    Under a 1- or 3-year commitment a commitment cannot be handed back before its term ends, and when it ends
    only what the month needs is committed again (right-sized at renewal, not the most ever committed):
        active_before(m) = Σ bought(s) for m − term < s < m      (commitments still running)
        instances(m)     = max(needed(m), active_before(m))      bought(m) = instances(m) − active_before(m)
    With a need that never falls this is bought(m) = added(m) + bought(m − term). The recurrence runs month by
    month, every scenario at once.
    """
    needed = np.maximum(_col(b["instance_min_count"]), np.ceil(_col(figures["instance_load"]) * growth - 1e-9))
    needed = np.broadcast_to(needed, (b.n, M))
    term = figures["term_months"].astype(int)
    committed = term > 0
    in_service, bought = needed.copy(), np.zeros((b.n, M))
    if committed.any():
        rows = np.flatnonzero(committed)
        need, life = needed[rows], term[rows]
        bought_so_far = np.zeros((rows.size, M + 1))  # Σ bought(s) for s < m, per month m
        for m in range(M):
            running = bought_so_far[:, m] - bought_so_far[np.arange(rows.size), np.maximum(m - life + 1, 0)]
            in_service[rows, m] = np.maximum(need[:, m], running)
            bought[rows, m] = in_service[rows, m] - running
            bought_so_far[:, m + 1] = bought_so_far[:, m] + bought[rows, m]
    ones = np.ones((b.n, 1))
    running = np.where(_col(committed), in_service - bought, 0.0)  # commitments still running, bought before
    return Component(ones, in_service), Component(ones, bought), Component(ones, running)


def instance_rates(b: Batch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(instance_rate [{cur}/instance-hour billed], upfront_per_instance [{cur} per instance committed],
    term_months) per scenario (n,), the surcharge of a managed endpoint and the negotiated discount included.

        upfront_share        = 0 (no upfront), instance_partial_upfront_percent/100 (partial), 1 (all upfront)
        instance_rate        = on demand: instance_per_hour; 1 or 3 years: instance_committed_per_hour ×
                               (1 − upfront_share); spot: instance_spot_per_hour × (1 + interruption%);
                               × (1 + endpoint surcharge%) × (1 − discount%)
        upfront_per_instance = instance_committed_per_hour × upfront_share × 730.5 × term_months × (1 + surcharge%)
                               × (1 − discount%)
    """
    term = np.where(
        b["one_year"], COMMITMENT_MONTHS["one_year"], np.where(b["three_year"], COMMITMENT_MONTHS["three_year"], 0)
    )
    committed = term > 0
    share = _upfront_share(b, term)
    spot = b["instance_spot_per_hour"] * (1 + b["instance_spot_interruption_percent"] / 100)
    hourly = np.where(
        committed, b["instance_committed_per_hour"] * (1 - share), np.where(b["spot"], spot, b["instance_per_hour"])
    )
    multiplier = (1 + b["instance_endpoint_surcharge_percent"] / 100) * (1 - b["inference_discount_percent"] / 100)
    upfront = b["instance_committed_per_hour"] * share * HOURS_PER_CALENDAR_MONTH * term
    return hourly * multiplier, upfront * multiplier, term.astype(float)


def _upfront_share(b: Batch, term: np.ndarray) -> np.ndarray:
    """The share of a commitment paid upfront (n,): 0 without a commitment (term 0) or upfront payment."""
    return (term > 0) * np.where(
        b["all_upfront"], 1.0, np.where(b["partial_upfront"], b["instance_partial_upfront_percent"] / 100, 0.0)
    )


def billed_hours(b: Batch) -> np.ndarray:
    """Instance-hours billed per instance per month (n,): every hour when always on or committed, else the
    operating hours plus the warm-up allowance of each operating day."""
    scaled = np.minimum(b["hours_per_day"] + b["instance_warmup_hours_per_day"], 24) * b["days_per_month"]
    every_hour = b["always_on"] | b["one_year"] | b["three_year"]
    return np.where(every_hour, HOURS_PER_CALENDAR_MONTH, np.minimum(scaled, HOURS_PER_CALENDAR_MONTH))


def _tiered(
    quantity: np.ndarray,
    starts: np.ndarray,
    prices: np.ndarray,
    growth: np.ndarray,
    price_change: np.ndarray,
    growth_and_price_change: np.ndarray,
) -> Component:
    """Marginal-tier cost of quantity (n,) × growth(m), times a price-change profile.

    When no quantity ever leaves the first tier the cost is linear, `quantity × first price`, and stays
    a lazy term; otherwise the schedule is evaluated on the (n, M) grid of quantities.
    """
    if starts.shape[0] == 1 and (starts.shape[1] == 1 or quantity.max() * growth.max() <= starts[0, 1]):
        return Component(_col(quantity * prices[0, 0]), growth_and_price_change)
    return Component(
        np.ones((len(quantity), 1)), _times(tiered_cost(_col(quantity) * growth, starts, prices), price_change)
    )


def _times(grid: np.ndarray, factor: np.ndarray) -> np.ndarray:
    return grid if factor is ONE else grid * factor


def col_int(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=int)[:, None]
