"""户外招牌安全管理 outdoor-signboard safety screen: its spec and labels (data:
``callbacks/signboards.py``).

The alarm thresholds (normal and in typhoon mode), the low-battery line and the hazard loop's
time limits are the domain's settings (``GREENWALL_SIGN_*``, ``datasources/sign/settings.py``),
to be confirmed with the bureau. Typhoon mode is the duty officer's switch (``sign.typhoon``);
``GREENWALL_SIGN_TYPHOON`` holds until the first switch.
"""

from __future__ import annotations

from dashboard.registry import Band, Format, GridPos, ScreenSpec, TileSpec

SLUG = "signboards"
SENSOR, INSPECTION, TYPHOON = "sign.sensor", "sign.inspection", "sign.typhoon"

RISK_LABELS = {"high": "高风险", "medium": "中风险", "low": "低风险"}
STAGE_LABELS = {"found": "发现隐患", "notified": "告知整改", "rectified": "完成整改",
                "verified": "复核销项"}
ALARM_LABELS = {"tilt": "倾斜", "vibration": "振动", "both": "倾斜+振动"}
STATE_LABELS = {"alarm": "报警", "ok": "正常", "offline": "离线"}
READING = "{tilt:.1f}° · {vibration:.0f} mm/s"
HOUR = "{hour}时"
RISK_NOTE = ("风险等级按招牌年限、体量、结构与安全检测结果评定；"
             "设置规范：DB31/T 977-2023（2023-10-01施行）")

LABELS = {
    **{v: e for v, e in zip(RISK_LABELS.values(), ("High risk", "Medium risk", "Low risk"),
                            strict=True)},
    **{v: e for v, e in zip(STAGE_LABELS.values(),
                            ("Found", "Owner notified", "Rectified", "Verified"), strict=True)},
    **{v: e for v, e in zip(ALARM_LABELS.values(), ("Tilt", "Vibration", "Tilt + vibration"),
                            strict=True)},
    "报警": "Alarm", "正常": "Normal", "离线": "Offline",
    READING: "{tilt:.1f}° · {vibration:.0f} mm/s", HOUR: "{hour}:00",
    "台风模式（1 开启，0 关闭）": "Typhoon mode (1 on, 0 off)",
    # figures and units
    "登记大型招牌": "Large signs registered", "已装传感器": "With sensors",
    "在线传感器覆盖率": "Working coverage", "当前报警": "Alarms now",
    "离线传感器": "Sensors offline", "低电量": "Low battery", "倾斜阈值": "Tilt limit",
    "振动阈值": "Vibration limit", "块": "signs", "个": "", "°": "°", "mm/s": "mm/s",
    "招牌": "Sign", "装传感器": "With sensor", "覆盖率": "Coverage", "时间": "Time",
    "事项": "Alarm", "读数": "Reading", "环节": "Stage", "当前": "Now", "近30日": "30 days",
    "超期": "Overdue", "今日": "Today", "昨日": "Yesterday", "次": "readings",
    "今日报警读数": "Alarm readings today", "昨日同时段": "Yesterday, same hours",
    "暂无报警": "No alarm now", "区内在线传感器覆盖率": "District coverage by working sensors",
    "传感器状态（颜色），报警放大": "Sensor state (colour); alarms drawn larger",
    "点击区名：进入该区": "Click a district's name for its view",
    # tile notes
    "公布：2019年汛期全市抽查户外招牌近16万块，整改7000多块；招牌与传感器为演示数据":
        "Published: in the 2019 flood season the city spot-checked nearly 160,000 signboards "
        "and had over 7,000 fixed; signs and sensors here are demo data",
    "有在线传感器的大型招牌占比；公布：长宁区北新泾街道2020年为店招安装55台平衡监测仪":
        "Share of large signs with a working sensor; published: Beixinjing (Changning) put 55 "
        "balance monitors on shop signs in 2020",
    RISK_NOTE:
        "Risk by the sign's age, size, structure and last safety test; rules: DB31/T 977-2023 "
        "(in force 2023-10-01)",
    "读数达到阈值（台风模式下收紧）的传感器，最新在前":
        "Sensors at or over the limits (tighter in typhoon mode), newest first",
    "当前：停在该环节的隐患（复核销项为近30日）；超期：超过该环节时限（设置）；近30日：进入该环节":
        "Now: hazards at the stage (verified: in 30 days); overdue: past the stage's limit "
        "(settings); 30 days: entering the stage",
    "每小时报警读数，按当前模式的阈值": "Alarm readings per hour, by the limits of the mode in force",
    # the index card
    "户外招牌安全管理：大型招牌、传感器报警、台风模式、隐患整改闭环":
        "Outdoor signboard safety: large signs, sensor alarms, typhoon mode, the hazard loop",
}

SIGNS = Format(unit="块")
COUNT = Format(unit="个")
SHARE = Format(percent=True, decimals=1)
ALARMS = Format(unit="个", bands=(Band(1, "bad"), Band(0, "good")))

SCREEN = ScreenSpec(
    slug=SLUG,
    title="户外招牌安全管理",
    title_en="Outdoor signboard safety",
    description="户外招牌安全管理：大型招牌、传感器报警、台风模式、隐患整改闭环",
    feeds=(SENSOR, INSPECTION, TYPHOON),
    labels=LABELS,
    tiles=(
        TileSpec(
            "overview", "kpis", "招牌与传感器", "Signs and sensors", GridPos(0, 0, 9, 3),
            feed=SENSOR, metrics=("sign.large_signs", "sign.alarms_now", "sign.typhoon"),
            note="公布：2019年汛期全市抽查户外招牌近16万块，整改7000多块；招牌与传感器为演示数据",
            formats={"sign.large_signs": SIGNS, "sign.sensors": COUNT,
                     "sign.working_share": Format(percent=True, decimals=1, bands=(
                         Band(0.8, "good"), Band(0.5, "warn"), Band(0, "bad"))),
                     "sign.alarms_now": ALARMS, "sign.sensors_offline": COUNT,
                     "sign.low_battery": COUNT,
                     "sign.typhoon": Format(bands=(Band(1, "bad"), Band(0, "good"))),
                     "sign.tilt_limit": Format(decimals=1, unit="°"),
                     "sign.vibration_limit": Format(unit="mm/s")},
        ),
        TileSpec(
            "map", "map", "报警与覆盖分布", "Alarms and coverage", GridPos(0, 3, 9, 9), feed=SENSOR,
        ),
        TileSpec(
            "coverage", "ranking", "各区传感器覆盖率", "Sensor coverage by district",
            GridPos(9, 0, 7, 7), feed=SENSOR, metrics=("sign.coverage.<adcode>",),
            note="有在线传感器的大型招牌占比；公布：长宁区北新泾街道2020年为店招安装55台平衡监测仪",
            formats={"sign.coverage.<adcode>": SHARE},
        ),
        TileSpec(
            "risk", "statgrid", "风险等级", "Risk levels", GridPos(9, 7, 7, 5), feed=SENSOR,
            metrics=("sign.risk_signs.<risk>", "sign.risk_alarms.<risk>"),
            note=RISK_NOTE,
            formats={"sign.risk_signs.<risk>": SIGNS, "sign.risk_covered.<risk>": SHARE,
                     "sign.risk_alarms.<risk>": ALARMS},
        ),
        TileSpec(
            "alarms", "ticker", "实时报警", "Alarms, live", GridPos(16, 0, 8, 4), feed=SENSOR,
            note="读数达到阈值（台风模式下收紧）的传感器，最新在前",
        ),
        TileSpec(
            "loop", "funnel", "隐患整改闭环", "Hazard loop", GridPos(16, 4, 8, 4), feed=INSPECTION,
            metrics=("sign.cases.<stage>",),
            note="当前：停在该环节的隐患（复核销项为近30日）；超期：超过该环节时限（设置）；近30日：进入该环节",
            formats={"sign.cases.<stage>": COUNT, "sign.cases_entered.<stage>": COUNT,
                     "sign.cases_overdue.<stage>": ALARMS},
        ),
        TileSpec(
            "trend", "timeseries", "报警趋势（今日与昨日）", "Alarms by hour, today and yesterday",
            GridPos(16, 8, 8, 4), feed=SENSOR, metrics=("sign.alarm_readings_today",),
            note="每小时报警读数，按当前模式的阈值",
            formats={"sign.alarm_readings_today": Format(unit="次"),
                     "sign.alarm_readings_yesterday": Format(unit="次")},
        ),
    ),
)
