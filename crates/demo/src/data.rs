//! The tables the demo draws from: Lu'an's counties and their towns, industries and their units
//! and topics, names, courseware providers, refusal reasons. Data only.

use super::*;

pub(super) struct County {
    pub(super) code: u32,
    pub(super) name: &'static str,
    pub(super) short: &'static str,
    /// Prefix of the county bureau's filing numbers.
    pub(super) filing: &'static str,
    /// Share of the county units.
    pub(super) weight: u64,
    pub(super) towns: &'static [&'static str],
}

pub(super) const COUNTIES: [County; 7] = [
    County {
        code: 341_502,
        name: "金安区",
        short: "金安",
        filing: "金人社培备",
        weight: 16,
        towns: &[
            "木厂镇",
            "马头镇",
            "东桥镇",
            "张店镇",
            "毛坦厂镇",
            "东河口镇",
            "孙岗镇",
            "椿树镇",
            "翁墩乡",
            "横塘岗乡",
            "中店乡",
            "施桥镇",
        ],
    },
    County {
        code: 341_503,
        name: "裕安区",
        short: "裕安",
        filing: "裕人社培备",
        weight: 16,
        towns: &[
            "苏埠镇",
            "韩摆渡镇",
            "新安镇",
            "顺河镇",
            "独山镇",
            "石婆店镇",
            "城南镇",
            "丁集镇",
            "固镇镇",
            "徐集镇",
            "分路口镇",
            "江家店镇",
        ],
    },
    County {
        code: 341_504,
        name: "叶集区",
        short: "叶集",
        filing: "叶人社培备",
        weight: 5,
        towns: &[
            "三元镇",
            "洪集镇",
            "姚李镇",
            "孙岗乡",
            "平岗街道",
            "史河街道",
        ],
    },
    County {
        code: 341_522,
        name: "霍邱县",
        short: "霍邱",
        filing: "霍邱人社培备",
        weight: 20,
        towns: &[
            "城关镇",
            "石店镇",
            "马店镇",
            "孟集镇",
            "花园镇",
            "户胡镇",
            "新店镇",
            "临水镇",
            "周集镇",
            "乌龙镇",
            "高塘镇",
            "龙潭镇",
            "众兴集镇",
            "冯井镇",
            "长集镇",
        ],
    },
    County {
        code: 341_523,
        name: "舒城县",
        short: "舒城",
        filing: "舒人社培备",
        weight: 15,
        towns: &[
            "城关镇",
            "干汊河镇",
            "杭埠镇",
            "桃溪镇",
            "万佛湖镇",
            "千人桥镇",
            "百神庙镇",
            "南港镇",
            "汤池镇",
            "晓天镇",
            "山七镇",
            "河棚镇",
        ],
    },
    County {
        code: 341_524,
        name: "金寨县",
        short: "金寨",
        filing: "金寨人社培备",
        weight: 12,
        towns: &[
            "梅山镇",
            "麻埠镇",
            "青山镇",
            "燕子河镇",
            "天堂寨镇",
            "古碑镇",
            "吴家店镇",
            "斑竹园镇",
            "汤家汇镇",
            "南溪镇",
            "双河镇",
            "白塔畈镇",
        ],
    },
    County {
        code: 341_525,
        name: "霍山县",
        short: "霍山",
        filing: "霍山人社培备",
        weight: 9,
        towns: &[
            "衡山镇",
            "佛子岭镇",
            "下符桥镇",
            "但家庙镇",
            "与儿街镇",
            "黑石渡镇",
            "诸佛庵镇",
            "落儿岭镇",
            "磨子潭镇",
            "大化坪镇",
            "漫水河镇",
            "单龙寺镇",
        ],
    },
];

pub(super) const CITY_STREETS: &[&str] = &[
    "中市街道",
    "东市街道",
    "西市街道",
    "城北街道",
    "鼓楼街道",
    "小华山街道",
    "清水河街道",
    "三里桥街道",
];
pub(super) const ZONE_PLACES: &[&str] = &["三十铺镇", "城东街道", "经开区"];
pub(super) const BRANDS: &[&str] = &[
    "皖西",
    "大别山",
    "淠河",
    "江淮",
    "恒信",
    "华源",
    "瑞丰",
    "鑫达",
    "天润",
    "龙腾",
    "国泰",
    "宏远",
    "金桥",
    "同创",
    "九鼎",
    "安泰",
    "长青",
    "嘉禾",
    "润泽",
    "明德",
    "启航",
    "振华",
    "聚力",
    "科瑞",
    "博远",
    "佳禾",
    "正元",
    "万佛",
    "响洪",
    "皋城",
];
pub(super) const ORDINALS: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八"];

/// Where a unit (or a filing bureau) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Seat {
    /// City-direct (市直).
    City,
    /// One of [`COUNTIES`].
    County(usize),
    /// The development zone.
    Zone,
}

pub(super) const AT_CITY: u8 = 1;
pub(super) const AT_COUNTY: u8 = 2;
pub(super) const AT_ZONE: u8 = 4;
pub(super) const ANYWHERE: u8 = 7;

impl Seat {
    pub(super) fn mask(self) -> u8 {
        match self {
            Seat::City => AT_CITY,
            Seat::County(_) => AT_COUNTY,
            Seat::Zone => AT_ZONE,
        }
    }

    pub(super) fn county(self) -> Option<&'static County> {
        match self {
            Seat::County(i) => COUNTIES.get(i),
            _ => None,
        }
    }

    pub(super) fn region(self) -> u32 {
        self.county().map_or(341_500, |c| c.code)
    }

    /// Full name (`{P}` in unit templates).
    pub(super) fn full(self) -> &'static str {
        match self {
            Seat::City => "六安市",
            Seat::County(_) => self.county().map_or("六安市", |c| c.name),
            Seat::Zone => "六安经济技术开发区",
        }
    }

    /// Short name (`{p}`).
    pub(super) fn short(self) -> &'static str {
        match self {
            Seat::City => "六安",
            Seat::County(_) => self.county().map_or("六安", |c| c.short),
            Seat::Zone => "六安经开区",
        }
    }

    pub(super) fn towns(self) -> &'static [&'static str] {
        match self {
            Seat::City => CITY_STREETS,
            Seat::County(_) => self.county().map_or(CITY_STREETS, |c| c.towns),
            Seat::Zone => ZONE_PLACES,
        }
    }

    /// Whether a filing approved by the bureau of `self` covers a unit at `unit` (D8).
    pub(super) fn covers(self, unit: Seat) -> bool {
        self == Seat::City || self == unit
    }
}

pub(super) struct Industry {
    pub(super) name: &'static str,
    /// Share of units.
    pub(super) share: u64,
    /// Relative staff size of its units.
    pub(super) staff: u64,
    /// The industry authority, as a recognised courseware provider (D7).
    pub(super) authority: &'static str,
    pub(super) topics: &'static [&'static str],
    /// Name templates: `{P}` place, `{p}` short place, `{T}` town, `{B}` brand, `{N}` ordinal.
    pub(super) units: &'static [(&'static str, UnitKind, u8)],
}

pub(super) const INDUSTRIES: [Industry; 8] = [
    Industry {
        name: "卫生健康",
        share: 24,
        staff: 4,
        authority: "六安市卫生健康委员会",
        topics: &[
            "基层常见病诊疗规范",
            "院内感染预防与控制",
            "急危重症识别与救治",
            "合理用药与处方点评",
            "护理质量与患者安全",
            "慢性病规范化管理",
            "中医适宜技术推广应用",
            "医学影像诊断新进展",
            "儿童保健与预防接种",
        ],
        units: &[
            ("{P}人民医院", UnitKind::Institution, AT_CITY | AT_COUNTY),
            (
                "{P}第二人民医院",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            ("{P}中医院", UnitKind::Institution, AT_CITY | AT_COUNTY),
            ("{P}妇幼保健院", UnitKind::Institution, AT_CITY | AT_COUNTY),
            (
                "{P}疾病预防控制中心",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            ("{T}卫生院", UnitKind::Institution, AT_COUNTY),
            (
                "{T}社区卫生服务中心",
                UnitKind::Institution,
                AT_CITY | AT_ZONE,
            ),
            ("{p}{B}医院", UnitKind::NonPublic, ANYWHERE),
            ("{p}{B}口腔门诊部", UnitKind::NonPublic, ANYWHERE),
        ],
    },
    Industry {
        name: "教育",
        share: 28,
        staff: 3,
        authority: "六安市教育局",
        topics: &[
            "新课程标准解读与实施",
            "大单元教学设计",
            "信息技术与学科教学融合",
            "班主任工作能力提升",
            "作业设计与学业评价",
            "中小学心理健康教育",
            "职业教育产教融合",
            "幼儿园保育教育质量提升",
        ],
        units: &[
            ("{P}第{N}中学", UnitKind::Institution, AT_CITY | AT_COUNTY),
            ("{P}实验学校", UnitKind::Institution, ANYWHERE),
            ("{T}中心学校", UnitKind::Institution, AT_COUNTY),
            ("{T}初级中学", UnitKind::Institution, AT_COUNTY),
            ("{P}{B}路小学", UnitKind::Institution, AT_CITY),
            (
                "{P}职业技术学校",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            ("{P}实验幼儿园", UnitKind::Institution, ANYWHERE),
            ("{p}{B}学校", UnitKind::NonPublic, ANYWHERE),
            ("皖西学院", UnitKind::Institution, AT_CITY),
            ("六安职业技术学院", UnitKind::Institution, AT_CITY),
        ],
    },
    Industry {
        name: "工程技术",
        share: 12,
        staff: 2,
        authority: "六安市住房和城乡建设局",
        topics: &[
            "建筑工程质量安全管理",
            "BIM技术应用",
            "装配式建筑施工技术",
            "水利工程建设管理",
            "绿色建筑与节能技术",
            "公路养护技术规范",
            "智能制造与工业互联网",
            "电力工程安全规程",
        ],
        units: &[
            ("安徽{B}建设工程有限公司", UnitKind::Enterprise, ANYWHERE),
            (
                "{p}{B}建筑设计院有限公司",
                UnitKind::Enterprise,
                AT_CITY | AT_COUNTY,
            ),
            (
                "{P}水利工程建设管理中心",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            (
                "{P}公路事业发展中心",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            ("国网{P}供电公司", UnitKind::StateOwned, AT_CITY | AT_COUNTY),
            (
                "安徽{B}智能装备有限公司",
                UnitKind::Enterprise,
                AT_CITY | AT_ZONE,
            ),
            (
                "六安{B}新材料科技有限公司",
                UnitKind::Enterprise,
                AT_ZONE | AT_COUNTY,
            ),
            ("{p}{B}电子科技有限公司", UnitKind::NonPublic, ANYWHERE),
        ],
    },
    Industry {
        name: "农业",
        share: 10,
        staff: 2,
        authority: "六安市农业农村局",
        topics: &[
            "茶叶绿色高效栽培技术",
            "六安瓜片加工工艺",
            "水稻病虫害绿色防控",
            "畜禽养殖疫病防控",
            "高标准农田建设管理",
            "农产品质量安全检测",
            "林业有害生物防治",
            "稻渔综合种养技术",
        ],
        units: &[
            (
                "{P}农业技术推广中心",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            (
                "{P}林业发展中心",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            (
                "{P}畜牧兽医水产服务中心",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            ("{T}农业综合服务站", UnitKind::Institution, AT_COUNTY),
            ("{p}{B}茶业有限公司", UnitKind::Enterprise, AT_COUNTY),
            ("六安市农业科学研究院", UnitKind::Institution, AT_CITY),
            ("安徽{B}农业科技有限公司", UnitKind::NonPublic, ANYWHERE),
        ],
    },
    Industry {
        name: "经济",
        share: 10,
        staff: 1,
        authority: "六安市发展和改革委员会",
        topics: &[
            "国有企业财务管理",
            "投融资项目评估",
            "统计业务与数据质量",
            "招标采购实务",
            "企业合规管理",
            "数字经济与产业升级",
            "人力资源管理实务",
        ],
        units: &[
            (
                "{P}城市建设投资有限公司",
                UnitKind::StateOwned,
                AT_CITY | AT_COUNTY,
            ),
            ("{p}{B}投资集团有限公司", UnitKind::StateOwned, ANYWHERE),
            (
                "{P}经济信息中心",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            ("安徽{B}商贸有限公司", UnitKind::NonPublic, ANYWHERE),
            (
                "六安经济技术开发区建设投资有限公司",
                UnitKind::StateOwned,
                AT_ZONE,
            ),
            ("{p}{B}物流有限公司", UnitKind::Enterprise, ANYWHERE),
        ],
    },
    Industry {
        name: "会计",
        share: 6,
        staff: 1,
        authority: "六安市财政局",
        topics: &[
            "政府会计制度实务",
            "企业会计准则解读",
            "管理会计应用",
            "最新税收政策解读",
            "行政事业单位内部控制",
            "财务数字化转型",
        ],
        units: &[
            (
                "安徽{B}会计师事务所（普通合伙）",
                UnitKind::NonPublic,
                AT_CITY | AT_COUNTY,
            ),
            ("{p}{B}税务师事务所有限公司", UnitKind::NonPublic, ANYWHERE),
            (
                "{P}财政国库支付中心",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            ("{p}{B}财务咨询有限公司", UnitKind::NonPublic, ANYWHERE),
            ("{P}会计学会", UnitKind::SocialOrg, AT_CITY | AT_COUNTY),
        ],
    },
    Industry {
        name: "新闻出版",
        share: 4,
        staff: 1,
        authority: "中共六安市委宣传部",
        topics: &[
            "融媒体内容生产",
            "新闻采编规范",
            "出版物质量管理",
            "短视频策划与制作",
            "网络舆情研判与引导",
        ],
        units: &[
            ("{P}融媒体中心", UnitKind::Institution, AT_CITY | AT_COUNTY),
            ("皖西日报社", UnitKind::Institution, AT_CITY),
            ("六安广播电视台", UnitKind::Institution, AT_CITY),
            ("{p}{B}文化传媒有限公司", UnitKind::Enterprise, ANYWHERE),
            ("安徽{B}印务有限公司", UnitKind::Enterprise, ANYWHERE),
        ],
    },
    Industry {
        name: "文化艺术",
        share: 6,
        staff: 1,
        authority: "六安市文化和旅游局",
        topics: &[
            "大别山民歌传承与创新",
            "非物质文化遗产保护",
            "群众文化活动组织",
            "皖西庐剧表演艺术",
            "公共图书馆服务规范",
            "文物保护与利用",
        ],
        units: &[
            ("{P}文化馆", UnitKind::Institution, AT_CITY | AT_COUNTY),
            ("{P}图书馆", UnitKind::Institution, AT_CITY | AT_COUNTY),
            ("{P}博物馆", UnitKind::Institution, AT_CITY | AT_COUNTY),
            (
                "{P}非物质文化遗产保护中心",
                UnitKind::Institution,
                AT_CITY | AT_COUNTY,
            ),
            ("{p}{B}艺术团", UnitKind::SocialOrg, ANYWHERE),
            ("{p}{B}文化艺术培训学校", UnitKind::SocialOrg, ANYWHERE),
        ],
    },
];

pub(super) fn industry(i: usize) -> &'static Industry {
    INDUSTRIES.get(i).unwrap_or(&INDUSTRIES[0])
}

pub(super) const PUBLIC_TOPICS: &[&str] = &[
    "习近平新时代中国特色社会主义思想概论",
    "数字经济与创新驱动发展",
    "人工智能赋能高质量发展",
    "专业技术人员职业道德与诚信建设",
    "知识产权保护与运用",
    "乡村振兴战略解读",
    "心理健康与压力管理",
    "安全生产与应急管理",
    "法治素养提升",
    "生态文明建设与绿色发展",
];

pub(super) const SURNAMES: &[&str] = &[
    "王", "张", "李", "陈", "刘", "汪", "胡", "余", "许", "程", "徐", "吴", "周", "杨", "朱", "孙",
    "方", "黄", "何", "谢", "蒋", "叶", "钱", "丁", "江", "鲁", "梅", "沈", "储", "曹", "袁", "彭",
    "宋", "姚", "蔡", "潘", "戴", "夏", "冯", "韩", "邓", "杜", "魏", "苏", "范", "石", "贾", "邵",
    "卢", "任", "金", "陶", "姜", "崔", "田", "汤", "柯", "詹", "凌", "桂",
];
pub(super) const MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "东", "海", "峰",
    "建", "国", "志", "文", "振", "家", "成", "德", "庆", "春",
];
pub(super) const FEMALE: &[&str] = &[
    "芳", "娟", "敏", "静", "丽", "艳", "娜", "霞", "燕", "玲", "婷", "雪", "慧", "红", "梅", "琳",
    "莉", "倩", "颖", "洁", "佳", "悦", "欣", "萍", "蓉", "晶", "璐", "琴", "云", "月", "秀", "兰",
    "晓", "雯", "怡", "春",
];

/// Courseware providers of the city's register (D7): name, industry, registration pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Period {
    /// Registered every year, renewed yearly.
    Yearly,
    /// Registered at the start, lapsed in the middle of the period.
    Lapsed,
    /// Registered only from the second year.
    Late,
}

pub(super) const PROVIDERS: &[(&str, Option<usize>, Period)] = &[
    ("皖江专技在线", None, Period::Yearly),
    ("大别山继续教育网", None, Period::Yearly),
    ("华医继教在线", Some(0), Period::Yearly),
    ("淠河教师研修网", Some(1), Period::Late),
    ("江淮工程师在线学院", Some(2), Period::Yearly),
    ("皖农科教云课堂", Some(3), Period::Lapsed),
    ("皖会计继续教育网", Some(5), Period::Yearly),
];

/// Providers nobody registered.
pub(super) const UNREGISTERED: &[&str] = &["知学云课堂", "优课专技学习平台"];

pub(super) const REFUSALS: &[&str] = &[
    "培训内容与本行业专业科目目录不符",
    "师资条件不符合要求，未提供授课教师职称证明",
    "培训计划不完整，缺少考核方式",
    "培训学时安排超出每日学习时长规定",
];

// ------------------------------------------------------------------------------- helpers
