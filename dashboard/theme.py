"""Colours, canvas sizes and refresh timings: the one place each of them is set.

The push budget of a tile kind (the least time between two pushes of one tile) is set with the
kind, in its module under ``layouts/kinds/``.

``assets/theme.css`` carries the same palette as CSS variables for the stylesheet side.
"""

from __future__ import annotations

CANVAS_FHD = (1920, 1080)
CANVAS_4K = (3840, 2160)
HEADER_PX = 72  # the screen header's height on the design canvas
GAP_PX = 12

TEXT = "#d8ecff"
MUTED = "#7f9bb8"
ACCENT = "#35d0ff"
WARN = "#ffc145"
GRID_LINE = "rgba(127,155,184,0.18)"
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'

WASTE_CATEGORY_COLOURS = {
    "wet": "#3ddc97",  # 湿垃圾 green, as on Shanghai's bins (brown bins, green on screens)
    "dry": "#8a9bb0",  # 干垃圾
    "recyclable": "#35a7ff",  # 可回收物 blue
    "hazardous": "#ff5d5d",  # 有害垃圾 red
}

# Qualified-rate colour ramp for the map, low → high: a stop applies from its rate upwards.
# The stops sit where Shanghai's districts actually spread (about 85–97 %), so they tell apart.
RATE_RAMP = ((0.0, "#8c2d3a"), (0.86, "#c8553d"), (0.88, "#e39b3b"), (0.90, "#c9c64a"),
             (0.92, "#5fbf7f"), (0.94, "#1fa37a"))

# 森林火险等级 1–5 in the national warning colours: 绿 low, 蓝, 黄, 橙, 红 extreme.
FIRE_LEVEL_COLOURS = ("#3ddc97", "#35a7ff", "#ffd84d", "#ff9a3c", "#ff4d4f")
# The five forest-chief scenarios (五大场景), told apart from the fire-level colours.
SCENARIO_COLOURS = {
    "deforestation": "#ff7ad9",  # 毁林占绿
    "neglect": "#c8a86b",  # 林地失管失养
    "fire": "#ff5d2e",  # 森林火险
    "wildlife": "#9b8cff",  # 野生动物保护
    "ancient_tree": "#e8f56b",  # 古树名木
}
PATROL_COLOUR = "#35d0ff"  # patrol grids visited today

HEARTBEAT_S = 5.0  # the live connection tells the page it is alive this often
POLL_INTERVAL_MS = 1000  # poll mode (the benchmark's baseline): each screen asks this often
PAYLOAD_MASTER_TTL_S = 60.0  # master data (stations, targets, boundaries) cached this long

# Comfort bands of a park (0: no capacity known, 1 舒适 … 5 拥挤); assets/board.css mirrors them.
COMFORT_COLOURS = ("#5b6b7c", "#3ddc97", "#9be15d", "#ffd166", "#ff9f43", "#ff5d5d")

# 环城生态公园带: belt parks by opening year (existing ones first), then those not yet open;
# the device-fault and offline bars.
BELT_YEAR_COLOURS = ("#7f9bb8", "#35d0ff", "#3ddc97", "#ffd166", "#ff9f43")
BELT_PENDING_COLOURS = {"building": "#c678dd", "planning": "#5b6b7c"}
BAD = "#ff5d5d"
