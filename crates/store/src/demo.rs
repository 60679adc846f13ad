//! Demo and scale data: a plausible Lu'an, built through the same API as real registrations.
//! Its seven districts and counties, city-direct units and the development zone's, a few
//! hundred units across industries with valid credit codes, thousands of professionals with
//! valid ID numbers and their employments (some change unit mid-period), the bureaus' training
//! filings and decisions, the city's courseware register, and years of learning records — most
//! of them compliant, with the edge cases of DOMAIN mixed in at realistic rates: short years,
//! base hours above the cap, failed base exams, unfiled or late-filed training, unregistered
//! courseware, conversions (some of the same achievement by two colleagues), public records
//! completed early next year for the year before, crammed tenure cycles, same-day overlaps,
//! late registrations, and voids with their corrections.
//!
//! Deterministic: the same seed gives the same units, persons, filings and records (only the
//! random salts and nonces of sealed personal data differ). Expects an empty database.

use std::collections::HashSet;
use std::ops::RangeInclusive;

use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::Policy;
use xueshi_policy::input::{Amount, Cohort, Exam, Form, Provider, ProviderKind, Record, Subject};

use crate::db::Db;
use crate::error::StoreError;
use crate::keys::Keys;
use crate::ledger::{Act, LedgerSigner};
use crate::people::{self, NewPerson, NewUnit, UnitKind};
use crate::records::{self, NewRecord};
use crate::registry::{self, NewFiling};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    pub persons: u64,
    pub seed: u64,
    /// Credit years with records; each must have rules in the policy.
    pub years: RangeInclusive<i32>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            persons: 5000,
            seed: 2026,
            years: 2024..=2026,
        }
    }
}

/// What was generated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub units: u64,
    pub persons: u64,
    /// Registered record rows, corrections included.
    pub records: u64,
    pub voids: u64,
    /// Training filings submitted (decided or not).
    pub filings: u64,
    pub provider_registrations: u64,
}

/// Persons per batch: one registration transaction (and one progress report) each.
const BATCH: u64 = 500;

// ------------------------------------------------------------------------------- randomness

/// SplitMix64's output function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64, one independent stream per purpose and index, so that changing how one
/// person's records are drawn changes nobody else's.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: &str, index: u64) -> Self {
        let mut h = mix(seed ^ 0x6A09_E667_F3BC_C908);
        for b in stream.bytes() {
            h = mix(h ^ u64::from(b));
        }
        Self(mix(h ^ mix(index.wrapping_add(0x9E37_79B9_7F4A_7C15))))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn per_mille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(u64::try_from(len).unwrap_or(u64::MAX))).unwrap_or(0)
    }

    fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        items
            .get(self.index(items.len()))
            .copied()
            .unwrap_or_default()
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let mut x = self.below(weights.iter().sum());
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        0
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

// ------------------------------------------------------------------------------- Lu'an

struct County {
    code: u32,
    name: &'static str,
    short: &'static str,
    /// Prefix of the county bureau's filing numbers.
    filing: &'static str,
    /// Share of the county units.
    weight: u64,
    towns: &'static [&'static str],
}

const COUNTIES: [County; 7] = [
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

const CITY_STREETS: &[&str] = &[
    "中市街道",
    "东市街道",
    "西市街道",
    "城北街道",
    "鼓楼街道",
    "小华山街道",
    "清水河街道",
    "三里桥街道",
];
const ZONE_PLACES: &[&str] = &["三十铺镇", "城东街道", "经开区"];
const BRANDS: &[&str] = &[
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
const ORDINALS: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八"];

/// Where a unit (or a filing bureau) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seat {
    /// City-direct (市直).
    City,
    /// One of [`COUNTIES`].
    County(usize),
    /// The development zone.
    Zone,
}

const AT_CITY: u8 = 1;
const AT_COUNTY: u8 = 2;
const AT_ZONE: u8 = 4;
const ANYWHERE: u8 = 7;

impl Seat {
    fn mask(self) -> u8 {
        match self {
            Seat::City => AT_CITY,
            Seat::County(_) => AT_COUNTY,
            Seat::Zone => AT_ZONE,
        }
    }

    fn county(self) -> Option<&'static County> {
        match self {
            Seat::County(i) => COUNTIES.get(i),
            _ => None,
        }
    }

    fn region(self) -> u32 {
        self.county().map_or(341_500, |c| c.code)
    }

    /// Full name (`{P}` in unit templates).
    fn full(self) -> &'static str {
        match self {
            Seat::City => "六安市",
            Seat::County(_) => self.county().map_or("六安市", |c| c.name),
            Seat::Zone => "六安经济技术开发区",
        }
    }

    /// Short name (`{p}`).
    fn short(self) -> &'static str {
        match self {
            Seat::City => "六安",
            Seat::County(_) => self.county().map_or("六安", |c| c.short),
            Seat::Zone => "六安经开区",
        }
    }

    fn towns(self) -> &'static [&'static str] {
        match self {
            Seat::City => CITY_STREETS,
            Seat::County(_) => self.county().map_or(CITY_STREETS, |c| c.towns),
            Seat::Zone => ZONE_PLACES,
        }
    }

    /// Whether a filing approved by the bureau of `self` covers a unit at `unit` (D8).
    fn covers(self, unit: Seat) -> bool {
        self == Seat::City || self == unit
    }
}

struct Industry {
    name: &'static str,
    /// Share of units.
    share: u64,
    /// Relative staff size of its units.
    staff: u64,
    /// The industry authority, as a recognised courseware provider (D7).
    authority: &'static str,
    topics: &'static [&'static str],
    /// Name templates: `{P}` place, `{p}` short place, `{T}` town, `{B}` brand, `{N}` ordinal.
    units: &'static [(&'static str, UnitKind, u8)],
}

const INDUSTRIES: [Industry; 8] = [
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

fn industry(i: usize) -> &'static Industry {
    INDUSTRIES.get(i).unwrap_or(&INDUSTRIES[0])
}

const PUBLIC_TOPICS: &[&str] = &[
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

const SURNAMES: &[&str] = &[
    "王", "张", "李", "陈", "刘", "汪", "胡", "余", "许", "程", "徐", "吴", "周", "杨", "朱", "孙",
    "方", "黄", "何", "谢", "蒋", "叶", "钱", "丁", "江", "鲁", "梅", "沈", "储", "曹", "袁", "彭",
    "宋", "姚", "蔡", "潘", "戴", "夏", "冯", "韩", "邓", "杜", "魏", "苏", "范", "石", "贾", "邵",
    "卢", "任", "金", "陶", "姜", "崔", "田", "汤", "柯", "詹", "凌", "桂",
];
const MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "东", "海", "峰",
    "建", "国", "志", "文", "振", "家", "成", "德", "庆", "春",
];
const FEMALE: &[&str] = &[
    "芳", "娟", "敏", "静", "丽", "艳", "娜", "霞", "燕", "玲", "婷", "雪", "慧", "红", "梅", "琳",
    "莉", "倩", "颖", "洁", "佳", "悦", "欣", "萍", "蓉", "晶", "璐", "琴", "云", "月", "秀", "兰",
    "晓", "雯", "怡", "春",
];

/// Courseware providers of the city's register (D7): name, industry, registration pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    /// Registered every year, renewed yearly.
    Yearly,
    /// Registered at the start, lapsed in the middle of the period.
    Lapsed,
    /// Registered only from the second year.
    Late,
}

const PROVIDERS: &[(&str, Option<usize>, Period)] = &[
    ("皖江专技在线", None, Period::Yearly),
    ("大别山继续教育网", None, Period::Yearly),
    ("华医继教在线", Some(0), Period::Yearly),
    ("淠河教师研修网", Some(1), Period::Late),
    ("江淮工程师在线学院", Some(2), Period::Yearly),
    ("皖农科教云课堂", Some(3), Period::Lapsed),
    ("皖会计继续教育网", Some(5), Period::Yearly),
];

/// Providers nobody registered.
const UNREGISTERED: &[&str] = &["知学云课堂", "优课专技学习平台"];

const REFUSALS: &[&str] = &[
    "培训内容与本行业专业科目目录不符",
    "师资条件不符合要求，未提供授课教师职称证明",
    "培训计划不完整，缺少考核方式",
    "培训学时安排超出每日学习时长规定",
];

// ------------------------------------------------------------------------------- helpers

fn invalid(what: impl std::fmt::Display) -> StoreError {
    StoreError::invalid("demo.data", what.to_string())
}

fn ymd(year: i32, month: u64, day: u64) -> Result<Date, StoreError> {
    let month = u8::try_from(month).map_err(invalid)?;
    let day = u8::try_from(day).map_err(invalid)?;
    Date::new(year, month, day).map_err(invalid)
}

fn plus(date: Date, days: u64) -> Result<Date, StoreError> {
    let days = i32::try_from(days).map_err(invalid)?;
    Date::from_day_number(date.day_number() + days).map_err(invalid)
}

fn minus(date: Date, days: u64) -> Result<Date, StoreError> {
    let days = i32::try_from(days).map_err(invalid)?;
    Date::from_day_number(date.day_number() - days).map_err(invalid)
}

/// A deterministic clock: 08:00 of `date` plus `seq` milliseconds.
fn ms(date: Date, seq: u64) -> i64 {
    i64::from(date.day_number()) * 86_400_000 + 28_800_000 + i64::try_from(seq).unwrap_or(0)
}

fn fill(template: &str, seat: Seat, rng: &mut Rng) -> String {
    template
        .replace("{P}", seat.full())
        .replace("{p}", seat.short())
        .replace("{T}", rng.pick(seat.towns()))
        .replace("{B}", rng.pick(BRANDS))
        .replace("{N}", rng.pick(ORDINALS))
}

// ------------------------------------------------------------------------------- the world

#[derive(Clone, Debug)]
struct UnitInfo {
    id: i64,
    code: String,
    name: String,
    seat: Seat,
    industry: usize,
    /// Weight of the unit when staff is assigned.
    staff: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FilingStatus {
    /// Approved before the training started.
    OnTime,
    /// Approved only after the training had started.
    Late,
    Refused,
    /// Submitted, not decided.
    Pending,
}

#[derive(Clone, Debug)]
struct FilingInfo {
    year: i32,
    number: String,
    title: String,
    seat: Seat,
    industry: usize,
    starts: Date,
    ends: Date,
    status: FilingStatus,
}

#[derive(Clone, Debug)]
struct ProviderInfo {
    name: &'static str,
    industry: Option<usize>,
    periods: Vec<(Date, Date)>,
}

impl ProviderInfo {
    fn covers(&self, from: Date, to: Date) -> bool {
        self.periods.iter().any(|(a, b)| *a <= from && to <= *b)
    }
}

/// The rules of one credit year that shape its records.
#[derive(Clone, Debug)]
struct YearCtx {
    year: i32,
    minutes_per_hour: u64,
    registration_deadline: Date,
    public_deadline: Date,
    /// Base hours cap, in tenths.
    cap: u64,
    /// Base number, name, subject.
    bases: Vec<(u8, String, String)>,
    /// Conversion kind key, name, hours (new cohort) in tenths; empty without a public table.
    conversions: Vec<(String, String, u64)>,
}

impl YearCtx {
    /// Whether public records completed early next year may count for this year (D5).
    fn next_year_window(&self) -> bool {
        self.public_deadline.year() > self.year
    }
}

fn year_contexts(policy: &Policy, years: &RangeInclusive<i32>) -> Result<Vec<YearCtx>, StoreError> {
    if years.is_empty() {
        return Err(StoreError::invalid("demo.years", "演示数据的年度范围为空"));
    }
    years
        .clone()
        .map(|year| {
            let p = policy.year(year).ok_or_else(|| {
                StoreError::invalid("demo.years", format!("政策中没有 {year} 年度的规则"))
            })?;
            let conversions = p
                .conversion
                .as_ref()
                .filter(|t| t.subjects.contains(&Subject::Public))
                .map(|t| {
                    t.kinds
                        .iter()
                        .map(|k| (k.key.clone(), k.name.clone(), k.new.tenths()))
                        .collect()
                })
                .unwrap_or_default();
            Ok(YearCtx {
                year,
                minutes_per_hour: p.minutes_per_hour.value.max(1),
                registration_deadline: p.registration_deadline.value,
                public_deadline: p.public_deadline.value,
                cap: p.base_cap.value.tenths(),
                bases: p
                    .bases
                    .iter()
                    .map(|b| (b.number, b.name.clone(), b.subject.clone()))
                    .collect(),
                conversions,
            })
        })
        .collect()
}

/// The development zone of Lu'an named by the policy's routing table, if any.
fn zone_name(policy: &Policy) -> Option<String> {
    policy.years.iter().rev().find_map(|y| {
        y.routes.as_ref().and_then(|r| {
            r.value
                .iter()
                .filter(|c| c.city == xueshi_domain::region::LUAN)
                .find_map(|c| c.zones.first().cloned())
        })
    })
}

struct World {
    seed: u64,
    units: Vec<UnitInfo>,
    filings: Vec<FilingInfo>,
    providers: Vec<ProviderInfo>,
    years: Vec<YearCtx>,
    persons: u64,
}

// ------------------------------------------------------------------------------- units

fn credit_code(
    rng: &mut Rng,
    kind: UnitKind,
    region: u32,
    used: &mut HashSet<String>,
) -> Result<CreditCode, StoreError> {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    // GB 32100: 12 事业单位 (机构编制), 52 民办非企业单位 (民政), 91 企业 (市场监管).
    let (head, org) = match kind {
        UnitKind::Institution => ("12", "MB"),
        UnitKind::SocialOrg => ("52", "MJ"),
        _ => ("91", "MA"),
    };
    for _ in 0..1000 {
        let tail: String = (0..7)
            .map(|_| char::from(rng.pick(CHARSET)))
            .collect::<String>();
        let body = format!("{head}{region:06}{org}{tail}");
        if used.insert(body.clone()) {
            return CreditCode::complete(&body).map_err(invalid);
        }
    }
    Err(invalid("无法生成不重复的统一社会信用代码"))
}

async fn create_units(
    db: &Db,
    opts: &DemoOptions,
    zone: Option<i64>,
    created: Date,
) -> Result<Vec<UnitInfo>, StoreError> {
    let mut rng = Rng::new(opts.seed, "units", 0);
    let count = (opts.persons / 25).max(20);
    let county_weights: Vec<u64> = COUNTIES.iter().map(|c| c.weight).collect();
    let industry_weights: Vec<u64> = INDUSTRIES.iter().map(|i| i.share).collect();
    let mut names = HashSet::new();
    let mut codes = HashSet::new();
    let mut units = Vec::new();
    for n in 0..count {
        // The first units: one city-direct, one in each district and county, one in the zone,
        // and one of each industry; then 18% city-direct, 7% in the zone, the rest in the
        // districts and counties by size.
        let first = usize::try_from(n).ok();
        let draw = rng.below(100);
        let seat = match first {
            Some(0) => Seat::City,
            Some(i) if i <= COUNTIES.len() => Seat::County(i - 1),
            Some(i) if i == COUNTIES.len() + 1 && zone.is_some() => Seat::Zone,
            _ => match draw {
                0..18 => Seat::City,
                18..25 if zone.is_some() => Seat::Zone,
                _ => Seat::County(rng.weighted(&county_weights)),
            },
        };
        let ind = match first {
            // A permutation, so that industry and place are not tied.
            Some(i) if i < INDUSTRIES.len() => i * 5 % INDUSTRIES.len(),
            _ => rng.weighted(&industry_weights),
        };
        let spec = industry(ind);
        let mut fitting: Vec<(&str, UnitKind)> = spec
            .units
            .iter()
            .filter(|(_, _, at)| at & seat.mask() != 0)
            .map(|(t, k, _)| (*t, *k))
            .collect();
        if fitting.is_empty() {
            fitting = spec.units.iter().map(|(t, k, _)| (*t, *k)).collect();
        }
        let mut chosen = None;
        for _ in 0..200 {
            let (template, kind) = fitting
                .get(rng.index(fitting.len()))
                .copied()
                .unwrap_or(("{p}{B}有限公司", UnitKind::Enterprise));
            let name = fill(template, seat, &mut rng);
            if names.insert(name.clone()) {
                chosen = Some((name, kind));
                break;
            }
        }
        let (name, kind) = match chosen {
            Some(c) => c,
            None => {
                let name = format!("{}{}{}有限公司", seat.short(), rng.pick(BRANDS), n);
                names.insert(name.clone());
                (name, UnitKind::Enterprise)
            }
        };
        let region = seat.region();
        let code = credit_code(&mut rng, kind, region, &mut codes)?;
        let id = people::insert_unit(
            db,
            &NewUnit {
                credit_code: code.clone(),
                name: name.clone(),
                region: RegionCode::from_u32(region).map_err(invalid)?,
                zone_id: if seat == Seat::Zone { zone } else { None },
                industry: spec.name.to_owned(),
                kind,
            },
            ms(created, n),
        )
        .await?;
        units.push(UnitInfo {
            id,
            code: code.as_str().to_owned(),
            name,
            seat,
            industry: ind,
            staff: spec.staff * rng.range(1, 3),
        });
    }
    Ok(units)
}

// ------------------------------------------------------------------------------- registry

async fn register_providers(
    db: &Db,
    signer: &LedgerSigner,
    years: &[YearCtx],
    summary: &mut DemoSummary,
) -> Result<Vec<ProviderInfo>, StoreError> {
    let (Some(first), Some(last)) = (years.first(), years.last()) else {
        return Ok(Vec::new());
    };
    let (first, last) = (first.year, last.year);
    let several = last > first;
    let mut out = Vec::new();
    let mut seq = 0;
    for &(name, ind, period) in PROVIDERS {
        let periods = match period {
            Period::Yearly => (first..=last)
                .map(|y| Ok((ymd(y, 1, 1)?, ymd(y, 12, 31)?)))
                .collect::<Result<Vec<_>, StoreError>>()?,
            Period::Lapsed if several => vec![(ymd(first, 1, 1)?, ymd(first + 1, 6, 30)?)],
            Period::Lapsed => vec![(ymd(first, 1, 1)?, ymd(first, 6, 30)?)],
            Period::Late if several => vec![(ymd(first + 1, 3, 1)?, ymd(last, 12, 31)?)],
            Period::Late => vec![(ymd(first, 7, 1)?, ymd(first, 12, 31)?)],
        };
        for (from, to) in &periods {
            let on = minus(*from, 10)?;
            registry::register_provider(
                db,
                signer,
                name,
                xueshi_domain::region::LUAN,
                *from,
                *to,
                Act {
                    actor: "bureau:341500",
                    on,
                    now_ms: ms(on, seq),
                },
            )
            .await?;
            seq += 1;
            summary.provider_registrations += 1;
        }
        out.push(ProviderInfo {
            name,
            industry: ind,
            periods,
        });
    }
    for name in UNREGISTERED {
        out.push(ProviderInfo {
            name,
            industry: None,
            periods: Vec::new(),
        });
    }
    Ok(out)
}

fn bureau_actor(seat: Seat, zone: &str) -> String {
    match seat {
        Seat::Zone => format!("zone:{zone}"),
        _ => format!("bureau:{}", seat.region()),
    }
}

async fn create_filings(
    db: &Db,
    signer: &LedgerSigner,
    world: &World,
    zone: Option<(i64, &str)>,
    summary: &mut DemoSummary,
) -> Result<Vec<FilingInfo>, StoreError> {
    let mut out = Vec::new();
    for y in &world.years {
        let year = y.year;
        let mut rng = Rng::new(world.seed, "filings", u64::try_from(year).unwrap_or(0));
        // Which bureaus file for which industries: the city for every industry, each county
        // and the zone for the industries of its units.
        let mut plan: Vec<(Seat, usize, u64)> =
            (0..INDUSTRIES.len()).map(|i| (Seat::City, i, 3)).collect();
        let mut seats: Vec<Seat> = (0..COUNTIES.len()).map(Seat::County).collect();
        if zone.is_some() {
            seats.push(Seat::Zone);
        }
        for seat in seats {
            for i in 0..INDUSTRIES.len() {
                let n = world
                    .units
                    .iter()
                    .filter(|u| u.seat == seat && u.industry == i)
                    .count();
                if n > 0 {
                    plan.push((seat, i, 1 + u64::try_from(n / 4).unwrap_or(0)));
                }
            }
        }
        let mut numbers: Vec<(Seat, u64)> = Vec::new();
        let mut index = 0u64;
        for (seat, ind, n) in plan {
            for _ in 0..n {
                let status = match index % 20 {
                    7 => FilingStatus::Refused,
                    13 => FilingStatus::Late,
                    _ if index % 40 == 19 => FilingStatus::Pending,
                    _ => FilingStatus::OnTime,
                };
                index += 1;
                let seq = match numbers.iter_mut().find(|(s, _)| *s == seat) {
                    Some((_, k)) => {
                        *k += 1;
                        *k
                    }
                    None => {
                        numbers.push((seat, 1));
                        1
                    }
                };
                let prefix = match seat {
                    Seat::City => "六人社培备",
                    Seat::Zone => "六开人才培备",
                    Seat::County(_) => seat.county().map_or("六人社培备", |c| c.filing),
                };
                let spec = industry(ind);
                let topic = rng.pick(spec.topics);
                let place = match seat {
                    Seat::City => "全市",
                    Seat::Zone => "经开区",
                    Seat::County(_) => seat.full(),
                };
                let starts = ymd(year, rng.range(3, 11), rng.range(3, 20))?;
                let ends = plus(starts, rng.range(1, 3))?;
                let filing = FilingInfo {
                    year,
                    number: format!("{prefix}〔{year}〕{seq}号"),
                    title: format!("{year}年{place}{}专业技术人员{topic}培训班", spec.name),
                    seat,
                    industry: ind,
                    starts,
                    ends,
                    status,
                };
                let decided = match status {
                    FilingStatus::OnTime | FilingStatus::Pending => {
                        minus(starts, rng.range(5, 30))?
                    }
                    FilingStatus::Refused => minus(starts, rng.range(5, 20))?,
                    FilingStatus::Late => plus(starts, rng.range(1, 3))?,
                };
                let submitted = minus(decided.min(minus(starts, 1)?), rng.range(3, 15))?;
                let id = registry::submit_filing(
                    db,
                    &NewFiling {
                        number: filing.number.clone(),
                        title: filing.title.clone(),
                        region: RegionCode::from_u32(seat.region()).map_err(invalid)?,
                        zone_id: match (seat, zone) {
                            (Seat::Zone, Some((id, _))) => Some(id),
                            _ => None,
                        },
                        starts_on: starts,
                        ends_on: ends,
                    },
                    ms(submitted, index),
                )
                .await?;
                summary.filings += 1;
                let actor = bureau_actor(seat, zone.map_or("", |(_, z)| z));
                let act = Act {
                    actor: &actor,
                    on: decided,
                    now_ms: ms(decided, index),
                };
                match status {
                    FilingStatus::Pending => {}
                    FilingStatus::Refused => {
                        let reason = rng.pick(REFUSALS);
                        registry::decide_filing(db, signer, id, false, Some(reason), act).await?;
                    }
                    FilingStatus::OnTime | FilingStatus::Late => {
                        registry::decide_filing(db, signer, id, true, None, act).await?;
                    }
                }
                out.push(filing);
            }
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------------------- persons

#[derive(Clone, Debug)]
struct PersonPlan {
    /// 0-based index among all generated persons.
    index: u64,
    id: i64,
    /// Employments: from, unit index; ascending.
    jobs: Vec<(Date, usize)>,
    /// The one year in which this person crams a whole cycle (D15).
    crammed: Option<i32>,
    /// Edge cases forced on this person (so that every kind occurs at any size), and the year.
    forced: u32,
}

impl PersonPlan {
    fn unit_on(&self, date: Date) -> Option<usize> {
        self.jobs
            .iter()
            .rev()
            .find(|(from, _)| *from <= date)
            .or(self.jobs.first())
            .map(|(_, u)| *u)
    }
}

// Edge cases of a person-year.
const SHORT: u32 = 1;
const OVER_CAP: u32 = 1 << 1;
const EXAM_FAIL: u32 = 1 << 2;
const UNFILED: u32 = 1 << 3;
const LATE_FILING: u32 = 1 << 4;
const REFUSED_FILING: u32 = 1 << 5;
const UNREGISTERED_PROVIDER: u32 = 1 << 6;
const CONVERSION: u32 = 1 << 7;
const CONVERSION_DUP: u32 = 1 << 8;
const FOR_YEAR: u32 = 1 << 9;
const OVERLAP: u32 = 1 << 10;
const VOID_HOURS: u32 = 1 << 11;
const VOID_DUPLICATE: u32 = 1 << 12;
const LATE_REGISTRATION: u32 = 1 << 13;
const CRAMMED: u32 = 1 << 14;

/// Rates per mille of each edge case, per person-year.
const RATES: [(u32, u64); 14] = [
    (SHORT, 50),
    (OVER_CAP, 40),
    (EXAM_FAIL, 30),
    (UNFILED, 20),
    (LATE_FILING, 12),
    (REFUSED_FILING, 6),
    (UNREGISTERED_PROVIDER, 30),
    (CONVERSION, 70),
    (CONVERSION_DUP, 8),
    (FOR_YEAR, 120),
    (OVERLAP, 10),
    (VOID_HOURS, 5),
    (VOID_DUPLICATE, 3),
    (LATE_REGISTRATION, 6),
];

/// Edge cases forced once each, on persons spread over the whole population.
const FORCED: [u32; 15] = [
    SHORT,
    OVER_CAP,
    EXAM_FAIL,
    UNFILED,
    LATE_FILING,
    REFUSED_FILING,
    UNREGISTERED_PROVIDER,
    CONVERSION,
    CONVERSION_DUP,
    FOR_YEAR,
    OVERLAP,
    VOID_HOURS,
    VOID_DUPLICATE,
    LATE_REGISTRATION,
    CRAMMED,
];

fn forced_edge(index: u64, persons: u64) -> u32 {
    let slots = u64::try_from(FORCED.len()).unwrap_or(1) + 1;
    let stride = (persons / slots).max(1);
    if index % stride != stride / 2 {
        return 0;
    }
    usize::try_from(index / stride)
        .ok()
        .and_then(|k| FORCED.get(k))
        .copied()
        .unwrap_or(0)
}

fn person_name(rng: &mut Rng, male: bool) -> String {
    let weights: Vec<u64> = (0..SURNAMES.len())
        .map(|i| if i < 12 { 5 } else { 1 })
        .collect();
    let surname = SURNAMES
        .get(rng.weighted(&weights))
        .copied()
        .unwrap_or("王");
    let chars = if male { MALE } else { FEMALE };
    let mut name = surname.to_owned();
    name.push_str(rng.pick(chars));
    if rng.per_mille(750) {
        name.push_str(rng.pick(chars));
    }
    name
}

fn plan_person(
    world: &World,
    index: u64,
    used_ids: &mut HashSet<String>,
) -> Result<(NewPerson, PersonPlan), StoreError> {
    let mut rng = Rng::new(world.seed, "person", index);
    let first_year = world.years.first().map_or(2024, |y| y.year);
    let last_year = world.years.last().map_or(first_year, |y| y.year);
    let staff: Vec<u64> = world.units.iter().map(|u| u.staff).collect();
    let unit = rng.weighted(&staff);
    let seat = world.units.get(unit).map_or(Seat::City, |u| u.seat);
    let county_weights: Vec<u64> = COUNTIES.iter().map(|c| c.weight).collect();
    let born_in = match seat {
        Seat::County(i) if rng.per_mille(800) => COUNTIES.get(i),
        _ => COUNTIES.get(rng.weighted(&county_weights)),
    }
    .map_or(341_502, |c| c.code);
    let male = rng.per_mille(480);
    let birth_year = i32::try_from(rng.range(1965, 1998)).map_err(invalid)?;
    let birth = ymd(birth_year, rng.range(1, 12), rng.range(1, 28))?;
    let mut id_number = None;
    for _ in 0..1000 {
        // The 17th digit is odd for men, even for women.
        let seq = rng.below(500) * 2 + u64::from(male);
        let body = format!(
            "{born_in:06}{:04}{:02}{:02}{seq:03}",
            birth.year(),
            birth.month(),
            birth.day()
        );
        if used_ids.insert(body.clone()) {
            id_number = Some(IdNumber::complete(&body).map_err(invalid)?);
            break;
        }
    }
    let id_number = id_number.ok_or_else(|| invalid("无法生成不重复的身份证号码"))?;
    let name = person_name(&mut rng, male);
    // Titled before 2025 (老人): most of the older staff, some of the younger.
    let cohort = if rng.per_mille(if birth_year < 1985 { 750 } else { 300 }) {
        Cohort::Old
    } else {
        Cohort::New
    };
    let phone = rng.per_mille(600).then(|| {
        format!(
            "1{}{:09}",
            rng.pick(&[3u8, 5, 7, 8, 9]),
            rng.below(1_000_000_000)
        )
    });

    // Employment: hired after studies, before the first year; some had an earlier unit, some
    // change unit during the period (mostly within their industry).
    let hire_year =
        (birth_year + 22 + i32::try_from(rng.below(5)).unwrap_or(0)).min(first_year - 1);
    let hired = ymd(hire_year, rng.range(7, 9), 1)?;
    let mut jobs = Vec::new();
    let unit_count = world.units.len();
    if hire_year <= first_year - 4 && rng.per_mille(100) {
        let earlier = rng.index(unit_count);
        if earlier != unit {
            let moved_year = i32::try_from(rng.range(
                u64::try_from(hire_year + 2).unwrap_or(0),
                u64::try_from(first_year - 1).unwrap_or(0),
            ))
            .map_err(invalid)?;
            jobs.push((hired, earlier));
            jobs.push((ymd(moved_year, rng.range(1, 12), 1)?, unit));
        }
    }
    if jobs.is_empty() {
        jobs.push((hired, unit));
    }
    if rng.per_mille(80) {
        let ind = world.units.get(unit).map(|u| u.industry);
        let same: Vec<usize> = (0..unit_count)
            .filter(|&u| u != unit && world.units.get(u).map(|x| x.industry) == ind)
            .collect();
        let next = if !same.is_empty() && rng.per_mille(700) {
            same.get(rng.index(same.len())).copied()
        } else {
            Some(rng.index(unit_count)).filter(|&u| u != unit)
        };
        if let Some(next) = next {
            let year = i32::try_from(rng.range(
                u64::try_from(first_year).unwrap_or(0),
                u64::try_from(last_year).unwrap_or(0),
            ))
            .map_err(invalid)?;
            jobs.push((ymd(year, rng.range(2, 11), 1)?, next));
        }
    }
    let forced = forced_edge(index, world.persons);
    let draw = rng.per_mille(8);
    let crammed = if world.years.len() >= 2 && (forced == CRAMMED || (forced == 0 && draw)) {
        world
            .years
            .get(rng.index(world.years.len()))
            .map(|y| y.year)
    } else {
        None
    };
    Ok((
        NewPerson {
            id_number,
            name,
            cohort,
            phone,
        },
        PersonPlan {
            index,
            id: 0,
            jobs,
            crammed,
            forced: forced & !CRAMMED,
        },
    ))
}

// ------------------------------------------------------------------------------- records

#[derive(Clone, Debug)]
struct VoidPlan {
    reason: String,
    on: Date,
    replacement: Option<Box<Draft>>,
}

/// A record before registration.
#[derive(Clone, Debug)]
struct Draft {
    /// Index of the person in the batch.
    person: usize,
    /// Credit year (the label's year).
    year: i32,
    record: Record,
    content: String,
    certificate_no: Option<String>,
    registered_on: Date,
    actor: String,
    void: Option<VoidPlan>,
}

impl Draft {
    fn new_record(&self, person_id: i64) -> NewRecord {
        NewRecord {
            person_id,
            record: self.record.clone(),
            content: self.content.clone(),
            certificate_no: self.certificate_no.clone(),
            evidence: None,
            registered_on: self.registered_on,
            actor: self.actor.clone(),
        }
    }
}

fn record(subject: Subject, form: Form, completed: Date) -> Record {
    Record {
        id: String::new(),
        subject,
        form,
        provider: None,
        started: None,
        completed,
        amount: None,
        exam: Exam::None,
        for_year: None,
        filing: None,
        conversion: None,
        achievement: None,
        registered: None,
    }
}

/// An achievement identifier and title of a conversion kind (D9, D21).
fn achievement(rng: &mut Rng, kind: &str, day: Date, topic: &str) -> (String, String) {
    let (year, month) = (day.year(), day.month());
    let n = rng.below(10_000_000);
    match kind {
        "patent_invention" | "patent_utility" => {
            let class = if kind == "patent_invention" { 1 } else { 2 };
            (
                format!("ZL {} {class} {n:07}.{}", year - 1, rng.below(10)),
                format!("专利《一种用于{topic}的辅助装置》"),
            )
        }
        "paper_core" | "paper_general" => (
            format!(
                "DOI 10.{}/j.issn.{:04}-{:04}.{year}.{:02}.{:03}",
                rng.range(3969, 16_000),
                rng.range(1000, 2999),
                rng.below(10_000),
                month,
                rng.range(1, 200)
            ),
            format!("论文《{topic}的实践与思考》"),
        ),
        "book" => (
            format!(
                "ISBN 978-7-{:04}-{:04}-{}",
                rng.below(10_000),
                rng.below(10_000),
                rng.below(10)
            ),
            format!("专著《{topic}实务》"),
        ),
        k if k.starts_with("award") => (
            format!(
                "奖励证书 {year}-{}-{:03}",
                rng.range(1, 3),
                rng.range(1, 300)
            ),
            format!("“{topic}”获奖"),
        ),
        k if k.starts_with("project") => (
            format!("项目编号 {year}{:06}", rng.below(1_000_000)),
            format!("科研项目“{topic}研究”结题"),
        ),
        _ => (
            format!("证书编号 {year}{n:07}"),
            format!("{topic}相关资格（学历）证书"),
        ),
    }
}

fn conversion_weight(kind: &str) -> u64 {
    match kind {
        "paper_general" => 30,
        "patent_utility" | "qualification_exam" => 12,
        "paper_core" | "award_municipal" | "project_municipal" => 8,
        "degree_study" => 5,
        "patent_invention" | "award_provincial" | "project_provincial" => 3,
        _ => 1,
    }
}

/// Builds one person's records of one credit year.
struct YearBuilder<'a> {
    world: &'a World,
    y: &'a YearCtx,
    plan: &'a PersonPlan,
    person: usize,
    industry: &'static Industry,
    seat: Seat,
    unit: usize,
    /// Months not yet used by a time-based activity: activities of one year do not overlap.
    months: Vec<u64>,
    drafts: Vec<Draft>,
    certificates: u32,
    /// A conversion whose achievement a colleague also registers.
    shared: Option<usize>,
}

impl<'a> YearBuilder<'a> {
    fn new(
        world: &'a World,
        y: &'a YearCtx,
        plan: &'a PersonPlan,
        person: usize,
        rng: &mut Rng,
    ) -> Result<Self, StoreError> {
        let unit = plan
            .unit_on(ymd(y.year, 12, 31)?)
            .ok_or_else(|| invalid("人员没有任职单位"))?;
        let info = world.units.get(unit).ok_or_else(|| invalid("单位不存在"))?;
        let mut months: Vec<u64> = (1..=12).collect();
        rng.shuffle(&mut months);
        Ok(Self {
            world,
            y,
            plan,
            person,
            industry: industry(info.industry),
            seat: info.seat,
            unit,
            months,
            drafts: Vec::new(),
            certificates: 0,
            shared: None,
        })
    }

    fn topic(&self, rng: &mut Rng) -> &'static str {
        rng.pick(self.industry.topics)
    }

    fn month(&mut self, rng: &mut Rng) -> u64 {
        self.months.pop().unwrap_or_else(|| rng.range(1, 12))
    }

    fn claim(&mut self, month: u64) {
        self.months.retain(|m| *m != month);
    }

    /// A study of `min..=max` days inside one free month of the year.
    fn span(&mut self, rng: &mut Rng, min: u64, max: u64) -> Result<(Date, Date), StoreError> {
        let month = self.month(rng);
        let len = rng.range(min, max).clamp(1, 27);
        let start = ymd(self.y.year, month, rng.range(1, 29 - len))?;
        Ok((start, plus(start, len - 1)?))
    }

    fn any_day(&self, rng: &mut Rng) -> Result<Date, StoreError> {
        ymd(self.y.year, rng.range(1, 12), rng.range(1, 28))
    }

    /// Hours, or (for whole hours, sometimes) the minutes they were measured in (D2).
    fn amount(&self, rng: &mut Rng, tenths: u64, minutes_share: u64) -> Amount {
        if tenths.is_multiple_of(10) && rng.per_mille(minutes_share) {
            let mph = self.y.minutes_per_hour;
            Amount::Minutes(tenths / 10 * mph + rng.below(mph))
        } else {
            Amount::Hours(Hours::from_tenths(tenths))
        }
    }

    fn push(
        &mut self,
        rng: &mut Rng,
        record: Record,
        content: String,
        certificate: Option<String>,
    ) -> usize {
        let deadline = self.y.registration_deadline;
        let after = plus(record.completed, rng.range(1, 12)).unwrap_or(record.completed);
        let registered_on = if record.completed > deadline {
            record.completed
        } else {
            after.min(deadline)
        };
        let unit = self.plan.unit_on(record.completed).unwrap_or(self.unit);
        let code = self.world.units.get(unit).map_or("", |u| u.code.as_str());
        self.drafts.push(Draft {
            person: self.person,
            year: self.y.year,
            record,
            content,
            certificate_no: certificate,
            registered_on,
            actor: format!("unit:{code}"),
            void: None,
        });
        self.drafts.len() - 1
    }

    // --- professional

    fn training(&mut self, rng: &mut Rng, filing: &FilingInfo, cite: bool) -> u64 {
        let days =
            u64::try_from(filing.ends.day_number() - filing.starts.day_number() + 1).unwrap_or(1);
        let tenths = days * 80;
        self.claim(u64::from(filing.starts.month()));
        let mut r = record(Subject::Professional, Form::TrainingClass, filing.ends);
        r.started = Some(filing.starts);
        r.amount = Some(Amount::Hours(Hours::from_tenths(tenths)));
        r.exam = Exam::Pass;
        if cite {
            r.filing = Some(filing.number.clone());
        }
        self.push(rng, r, filing.title.clone(), None);
        tenths
    }

    /// A training class the unit ran without filing it (D8).
    fn unfiled_training(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let (start, end) = self.span(rng, 2, 3)?;
        let days = u64::try_from(end.day_number() - start.day_number() + 1).unwrap_or(1);
        let tenths = days * 80;
        let mut r = record(Subject::Professional, Form::TrainingClass, end);
        r.started = Some(start);
        r.amount = Some(Amount::Hours(Hours::from_tenths(tenths)));
        r.exam = Exam::Pass;
        let content = format!("单位内部{}专题培训班", self.topic(rng));
        self.push(rng, r, content, None);
        Ok(tenths)
    }

    /// A training citing a filing of the given status that covers the person's unit.
    fn training_with(&mut self, rng: &mut Rng, status: FilingStatus) -> Result<u64, StoreError> {
        let (year, seat, ind) = (self.y.year, self.seat, self.industry.name);
        let world = self.world;
        let candidates: Vec<&FilingInfo> = world
            .filings
            .iter()
            .filter(|f| f.year == year && f.status == status && f.seat.covers(seat))
            .collect();
        let same: Vec<&FilingInfo> = candidates
            .iter()
            .copied()
            .filter(|f| industry(f.industry).name == ind)
            .collect();
        let pool = if same.is_empty() { &candidates } else { &same };
        match pool.get(rng.index(pool.len())) {
            Some(f) => Ok(self.training(rng, f, true)),
            None => self.unfiled_training(rng),
        }
    }

    fn practice(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let (start, end) = self.span(rng, 10, 20)?;
        let tenths = rng.range(16, 40) * 10;
        let ind = self.industry.name;
        let hosts: Vec<&str> = self
            .world
            .units
            .iter()
            .enumerate()
            .filter(|(i, u)| *i != self.unit && industry(u.industry).name == ind)
            .map(|(_, u)| u.name.as_str())
            .collect();
        let host = hosts
            .get(rng.index(hosts.len()))
            .copied()
            .unwrap_or("上级业务单位");
        let mut r = record(Subject::Professional, Form::Practice, end);
        r.started = Some(start);
        r.amount = Some(self.amount(rng, tenths, 200));
        let content = format!("赴{host}进修实践：{}", self.topic(rng));
        self.push(rng, r, content, None);
        Ok(tenths)
    }

    fn academic_on(&mut self, rng: &mut Rng, day: Date, tenths: u64) -> u64 {
        let mut r = record(Subject::Professional, Form::Academic, day);
        r.amount = Some(self.amount(rng, tenths, 400));
        let topic = self.topic(rng);
        let content = match rng.below(3) {
            0 => format!("参加{}年全省{topic}学术年会", self.y.year),
            1 => format!("{topic}专题讲座"),
            _ => format!(
                "赴{}参加{topic}学术交流",
                rng.pick(&["合肥", "南京", "杭州", "上海", "武汉"])
            ),
        };
        self.push(rng, r, content, None);
        tenths
    }

    fn academic(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let month = self.month(rng);
        let day = ymd(self.y.year, month, rng.range(1, 28))?;
        let tenths = rng.range(8, 16) * 5;
        Ok(self.academic_on(rng, day, tenths))
    }

    fn research(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let day = self.any_day(rng)?;
        let tenths = rng.range(10, 30) * 10;
        let mut r = record(Subject::Professional, Form::Research, day);
        r.amount = Some(Amount::Hours(Hours::from_tenths(tenths)));
        let content = format!("课题研究：{}的应用研究", self.topic(rng));
        self.push(rng, r, content, None);
        Ok(tenths)
    }

    fn qualification_exam(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let day = self.any_day(rng)?;
        let tenths = 200;
        let mut r = record(Subject::Professional, Form::QualificationExam, day);
        r.amount = Some(Amount::Hours(Hours::from_tenths(tenths)));
        r.exam = Exam::Pass;
        let content = format!(
            "参加{}年度{}专业技术资格考试（成绩合格）",
            self.y.year, self.industry.name
        );
        self.push(rng, r, content, None);
        Ok(tenths)
    }

    /// A registered provider whose registration covers the whole study, if any (D7).
    fn registered_provider(
        &self,
        rng: &mut Rng,
        industry_only: bool,
        from: Date,
        to: Date,
    ) -> Option<&'static str> {
        let ind = INDUSTRIES.iter().position(|i| i.name == self.industry.name);
        let fitting: Vec<&'static str> = self
            .world
            .providers
            .iter()
            .filter(|p| p.covers(from, to))
            .filter(|p| {
                if industry_only {
                    p.industry.is_some() && p.industry == ind
                } else {
                    p.industry.is_none()
                }
            })
            .map(|p| p.name)
            .collect();
        fitting.get(rng.index(fitting.len())).copied()
    }

    /// A provider the person's city has not registered for the study's dates (D7).
    fn unregistered_provider(&self, rng: &mut Rng, from: Date, to: Date) -> &'static str {
        let lapsed: Vec<&'static str> = self
            .world
            .providers
            .iter()
            .filter(|p| !p.periods.is_empty() && !p.covers(from, to))
            .map(|p| p.name)
            .collect();
        if !lapsed.is_empty() && rng.per_mille(400) {
            lapsed
                .get(rng.index(lapsed.len()))
                .copied()
                .unwrap_or("知学云课堂")
        } else {
            rng.pick(UNREGISTERED)
        }
    }

    fn online(
        &mut self,
        rng: &mut Rng,
        subject: Subject,
        tenths: u64,
        registered: bool,
    ) -> Result<u64, StoreError> {
        let (start, end) = self.span(rng, 8, 20)?;
        let (provider, name) = if !registered {
            let name = self.unregistered_provider(rng, start, end);
            (Provider::Registered(name.to_owned()), name.to_owned())
        } else if subject == Subject::Public {
            match rng.below(2) {
                0 => (
                    Provider::Kind(ProviderKind::Hrss),
                    "六安市人力资源和社会保障局".to_owned(),
                ),
                _ => match self.registered_provider(rng, false, start, end) {
                    Some(n) => (Provider::Registered(n.to_owned()), n.to_owned()),
                    None => (
                        Provider::Kind(ProviderKind::Hrss),
                        "六安市人力资源和社会保障局".to_owned(),
                    ),
                },
            }
        } else {
            let draw = rng.below(100);
            let own = self.registered_provider(rng, true, start, end);
            match (draw, own) {
                (0..40, Some(n)) => (Provider::Registered(n.to_owned()), n.to_owned()),
                (40..55, _) => (
                    Provider::Kind(ProviderKind::Base),
                    "国家级专业技术人员继续教育基地".to_owned(),
                ),
                _ => (
                    Provider::Kind(ProviderKind::Industry),
                    self.industry.authority.to_owned(),
                ),
            }
        };
        let mut r = record(subject, Form::Online, end);
        r.started = Some(start);
        r.provider = Some(provider);
        r.amount = Some(self.amount(rng, tenths, 600));
        let topic = if subject == Subject::Public {
            rng.pick(PUBLIC_TOPICS)
        } else {
            self.topic(rng)
        };
        self.push(rng, r, format!("{name}网络课程：{topic}"), None);
        Ok(tenths)
    }

    /// Two time-based activities on one day, together above the daily limit (D21).
    fn overlap(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let month = self.month(rng);
        let day = ymd(self.y.year, month, rng.range(1, 28))?;
        let academic = self.academic_on(rng, day, 80);
        let mut r = record(Subject::Professional, Form::Online, day);
        r.started = Some(day);
        r.provider = Some(Provider::Kind(ProviderKind::Industry));
        let minutes = rng.range(400, 480);
        r.amount = Some(Amount::Minutes(minutes));
        let content = format!("{}网络课程：{}", self.industry.authority, self.topic(rng));
        self.push(rng, r, content, None);
        Ok(academic + minutes / self.y.minutes_per_hour * 10)
    }

    // --- public

    /// A course at one of the provincial online bases (D6).
    fn base(
        &mut self,
        rng: &mut Rng,
        base: usize,
        exam: Exam,
        next_year: bool,
    ) -> Result<u64, StoreError> {
        let Some((number, name, subject)) = self.y.bases.get(base).cloned() else {
            return Ok(0);
        };
        let (start, end) = if next_year {
            let deadline = self.y.public_deadline;
            let last_month = if deadline.year() > self.y.year + 1 {
                5
            } else {
                u64::from(deadline.month()).min(5)
            };
            let end = ymd(self.y.year + 1, rng.range(1, last_month), rng.range(1, 28))?;
            let end = end.min(deadline);
            (minus(end, rng.range(10, 25))?, end)
        } else {
            self.span(rng, 10, 25)?
        };
        let tenths = 100;
        let mut r = record(Subject::Public, Form::Online, end);
        r.started = Some(start);
        r.provider = Some(Provider::Base(number));
        r.amount = Some(self.amount(rng, tenths, 300));
        r.exam = exam;
        if next_year {
            r.for_year = Some(self.y.year);
        }
        let certificate = (exam == Exam::Pass).then(|| {
            self.certificates += 1;
            format!(
                "GX{number}-{}-{:06}-{}",
                self.y.year, self.plan.index, self.certificates
            )
        });
        let content = format!(
            "{}年度公需科目{subject}（{name}）：{}",
            self.y.year,
            rng.pick(PUBLIC_TOPICS)
        );
        self.push(rng, r, content, certificate);
        Ok(tenths)
    }

    /// A public conversion of an achievement (D9); returns the new-cohort value.
    fn conversion(&mut self, rng: &mut Rng) -> Result<(u64, usize), StoreError> {
        let weights: Vec<u64> = self
            .y
            .conversions
            .iter()
            .map(|(k, _, _)| conversion_weight(k))
            .collect();
        let Some((kind, kind_name, tenths)) =
            self.y.conversions.get(rng.weighted(&weights)).cloned()
        else {
            return Ok((0, 0));
        };
        let day = self.any_day(rng)?;
        let topic = self.topic(rng);
        let (id, title) = achievement(rng, &kind, day, topic);
        let mut r = record(Subject::Public, Form::Conversion, day);
        r.conversion = Some(kind);
        r.achievement = Some(id);
        let at = self.push(rng, r, format!("{kind_name}：{title}"), None);
        Ok((tenths, at))
    }

    // --- years

    fn normal_year(&mut self, rng: &mut Rng, edges: u32) -> Result<(), StoreError> {
        // 50% of the time a rejected activity was part of what the person counted on.
        let counted = |rng: &mut Rng, tenths: u64| if rng.per_mille(500) { tenths } else { 0 };
        let prof_target = if edges & SHORT != 0 {
            rng.range(30, 55)
        } else {
            rng.range(60, 84)
        } * 10;
        let mut prof = 0;
        let (year, seat, ind) = (self.y.year, self.seat, self.industry.name);
        let world = self.world;
        let usable: Vec<&FilingInfo> = world
            .filings
            .iter()
            .filter(|f| {
                f.year == year
                    && f.status == FilingStatus::OnTime
                    && f.seat.covers(seat)
                    && industry(f.industry).name == ind
            })
            .collect();
        if let Some(f) = usable.get(rng.index(usable.len()))
            && rng.per_mille(650)
        {
            prof += self.training(rng, f, true);
        }
        if edges & UNFILED != 0 {
            let t = self.unfiled_training(rng)?;
            prof += counted(rng, t);
        }
        if edges & LATE_FILING != 0 {
            let t = self.training_with(rng, FilingStatus::Late)?;
            prof += counted(rng, t);
        }
        if edges & REFUSED_FILING != 0 {
            let t = self.training_with(rng, FilingStatus::Refused)?;
            prof += counted(rng, t);
        }
        if edges & OVERLAP != 0 {
            prof += self.overlap(rng)?;
        }
        let unregistered_public = rng.per_mille(500);
        if edges & UNREGISTERED_PROVIDER != 0 && !unregistered_public {
            let hours = rng.range(10, 20) * 10;
            let t = self.online(rng, Subject::Professional, hours, false)?;
            prof += counted(rng, t);
        }
        let mut guard = 0;
        while prof < prof_target && guard < 12 {
            guard += 1;
            prof += match rng.weighted(&[15, 30, 15, 35, 3]) {
                0 => self.practice(rng)?,
                1 => self.academic(rng)?,
                2 => self.research(rng)?,
                3 => {
                    let t = rng.range(10, 30) * 10;
                    self.online(rng, Subject::Professional, t, true)?
                }
                _ => self.qualification_exam(rng)?,
            };
        }

        let pub_target = if edges & SHORT != 0 {
            rng.range(15, 40) * 10
        } else {
            900u64.saturating_sub(prof).max(300) + rng.range(0, 10) * 10
        };
        let mut public = 0;
        if edges & (CONVERSION | CONVERSION_DUP) != 0 && !self.y.conversions.is_empty() {
            let (t, at) = self.conversion(rng)?;
            public += t;
            if edges & CONVERSION_DUP != 0 {
                self.shared = Some(at);
            }
        }
        let mut bases: Vec<usize> = (0..self.y.bases.len()).collect();
        rng.shuffle(&mut bases);
        let mut in_bases = 0;
        if edges & OVER_CAP != 0 {
            // Every base, 10 hours each: past the cap the last is not credited.
            for &b in &bases {
                in_bases += self.base(rng, b, Exam::Pass, false)?;
            }
            public += in_bases.min(self.y.cap);
        } else if !bases.is_empty() && (rng.per_mille(900) || edges & FOR_YEAR != 0) {
            let wanted = rng.range(1, 3);
            let next_year_base = edges & FOR_YEAR != 0;
            for (k, &b) in bases.iter().enumerate() {
                let last = u64::try_from(k + 1).unwrap_or(0) >= wanted;
                if u64::try_from(k).unwrap_or(0) >= wanted
                    || (public >= pub_target && !next_year_base)
                    || in_bases + 100 > self.y.cap
                {
                    break;
                }
                let t = self.base(rng, b, Exam::Pass, next_year_base && last)?;
                in_bases += t;
                public += t;
            }
        }
        if edges & EXAM_FAIL != 0
            && let Some(&b) = bases.first()
        {
            let t = self.base(rng, b, Exam::Fail, false)?;
            public += if rng.per_mille(400) { t } else { 0 };
        }
        if edges & UNREGISTERED_PROVIDER != 0 && unregistered_public {
            let hours = rng.range(8, 15) * 10;
            let t = self.online(rng, Subject::Public, hours, false)?;
            public += counted(rng, t);
        }
        let mut guard = 0;
        while public < pub_target && guard < 6 {
            guard += 1;
            let t = (pub_target - public).div_ceil(10).clamp(6, 20) * 10;
            public += self.online(rng, Subject::Public, t, true)?;
        }

        if edges & LATE_REGISTRATION != 0 && !self.drafts.is_empty() {
            let k = rng.index(self.drafts.len());
            let late = plus(self.y.registration_deadline, rng.range(5, 60))?;
            if let Some(d) = self.drafts.get_mut(k) {
                d.registered_on = late;
            }
        }
        if edges & (VOID_HOURS | VOID_DUPLICATE) != 0 {
            self.plan_voids(rng, edges)?;
        }
        Ok(())
    }

    /// Registration mistakes and their corrections (D10): a typo in the hours, corrected by a
    /// replacement; an activity registered twice, the second voided.
    fn plan_voids(&mut self, rng: &mut Rng, edges: u32) -> Result<(), StoreError> {
        let deadline = self.y.registration_deadline;
        let eligible: Vec<usize> = self
            .drafts
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.certificate_no.is_none()
                    && d.void.is_none()
                    && d.registered_on <= deadline
                    && matches!(d.record.amount, Some(Amount::Hours(_)))
                    && matches!(
                        d.record.form,
                        Form::Academic | Form::Research | Form::Practice | Form::Online
                    )
            })
            .map(|(i, _)| i)
            .collect();
        if edges & VOID_HOURS != 0
            && let Some(&k) = eligible.first()
            && let Some(d) = self.drafts.get_mut(k)
            && let Some(Amount::Hours(right)) = d.record.amount
        {
            let wrong = right.times(10);
            let mut replacement = d.clone();
            d.record.amount = Some(Amount::Hours(wrong));
            let on = plus(d.registered_on, rng.range(3, 20))?
                .min(deadline)
                .max(d.registered_on);
            replacement.registered_on = on;
            d.void = Some(VoidPlan {
                reason: format!("学时填写错误：应为{right}学时，误填为{wrong}学时"),
                on,
                replacement: Some(Box::new(replacement)),
            });
        }
        if edges & VOID_DUPLICATE != 0
            && let Some(&k) = eligible.last()
            && let Some(d) = self.drafts.get(k)
            && d.void.is_none()
        {
            let mut dup = d.clone();
            dup.registered_on = plus(d.registered_on, rng.range(0, 5))?
                .min(deadline)
                .max(d.registered_on);
            let on = plus(dup.registered_on, rng.range(1, 10))?
                .min(deadline)
                .max(dup.registered_on);
            dup.void = Some(VoidPlan {
                reason: "与本人已登记的同一学习活动重复，作废本条".to_owned(),
                on,
                replacement: None,
            });
            self.drafts.push(dup);
        }
        Ok(())
    }

    /// A whole tenure cycle's hours in one year (D15): an online course every month, research
    /// and the public bases.
    fn crammed_year(&mut self, rng: &mut Rng) -> Result<(), StoreError> {
        for month in 1..=12 {
            self.months = vec![month];
            self.online(rng, Subject::Professional, 300, true)?;
        }
        self.months = (1..=12).collect();
        rng.shuffle(&mut self.months);
        self.research(rng)?;
        self.research(rng)?;
        for b in 0..self.y.bases.len().min(3) {
            self.base(rng, b, Exam::Pass, false)?;
        }
        Ok(())
    }

    /// A year of the crammed cycle other than the crammed one: almost nothing.
    fn sparse_year(&mut self, rng: &mut Rng) -> Result<(), StoreError> {
        if rng.per_mille(500) {
            let month = self.month(rng);
            let day = ymd(self.y.year, month, rng.range(1, 28))?;
            self.academic_on(rng, day, 40);
        }
        Ok(())
    }
}

fn edges_of(rng: &mut Rng, y: &YearCtx, plan: &PersonPlan, last: i32) -> u32 {
    let mut edges = 0;
    for (flag, rate) in RATES {
        if rng.per_mille(rate) {
            edges |= flag;
        }
    }
    // A forced edge goes to the latest year it can occur in.
    if plan.forced != 0 && y.year == last {
        edges |= plan.forced;
    }
    if y.conversions.is_empty() {
        edges &= !(CONVERSION | CONVERSION_DUP);
    }
    if !y.next_year_window() {
        edges &= !FOR_YEAR;
    }
    edges
}

/// The latest year of the range in which a forced edge can occur.
fn forced_year(world: &World, forced: u32) -> i32 {
    world
        .years
        .iter()
        .rev()
        .find(|y| {
            (forced & (CONVERSION | CONVERSION_DUP) == 0 || !y.conversions.is_empty())
                && (forced & FOR_YEAR == 0 || y.next_year_window())
        })
        .or(world.years.last())
        .map_or(0, |y| y.year)
}

/// Labels each person's records `YEAR-NN` in completion order, corrections after.
fn label(drafts: &mut [Draft]) {
    drafts.sort_by(|a, b| {
        (
            a.person,
            a.year,
            a.record.completed,
            a.record.started,
            a.registered_on,
        )
            .cmp(&(
                b.person,
                b.year,
                b.record.completed,
                b.record.started,
                b.registered_on,
            ))
    });
    let mut counters: Vec<((usize, i32), u32)> = Vec::new();
    let mut next = |person: usize, year: i32| {
        let n = match counters.iter_mut().find(|(k, _)| *k == (person, year)) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                counters.push(((person, year), 1));
                1
            }
        };
        format!("{year}-{n:02}")
    };
    for d in drafts.iter_mut() {
        d.record.id = next(d.person, d.year);
    }
    for d in drafts.iter_mut() {
        if let Some(r) = d.void.as_mut().and_then(|v| v.replacement.as_mut()) {
            r.record.id = next(r.person, r.year);
        }
    }
}

async fn seed_batch(
    db: &Db,
    keys: &Keys,
    signer: &LedgerSigner,
    world: &World,
    range: std::ops::Range<u64>,
    used_ids: &mut HashSet<String>,
    summary: &mut DemoSummary,
) -> Result<(), StoreError> {
    let first = world.years.first().map_or(2024, |y| y.year);
    let last = world.years.last().map_or(first, |y| y.year);
    let mut plans = Vec::new();
    for index in range {
        let (person, mut plan) = plan_person(world, index, used_ids)?;
        let created = ymd(first, 1, 1)?;
        plan.id = people::insert_person(db, keys, &person, ms(created, index)).await?;
        for (from, unit) in &plan.jobs {
            let unit_id = world
                .units
                .get(*unit)
                .map(|u| u.id)
                .ok_or_else(|| invalid("单位不存在"))?;
            people::employ(db, plan.id, unit_id, *from).await?;
        }
        summary.persons += 1;
        plans.push(plan);
    }

    let mut drafts: Vec<Draft> = Vec::new();
    for (person, plan) in plans.iter().enumerate() {
        let forced_in = forced_year(world, plan.forced);
        for y in &world.years {
            let mut rng = Rng::new(
                world.seed,
                "year",
                plan.index * 4096 + u64::try_from(y.year - first).unwrap_or(0),
            );
            let mut b = YearBuilder::new(world, y, plan, person, &mut rng)?;
            let edges = edges_of(&mut rng, y, plan, forced_in.min(last));
            match plan.crammed {
                Some(c) if c == y.year => b.crammed_year(&mut rng)?,
                Some(_) => b.sparse_year(&mut rng)?,
                None => b.normal_year(&mut rng, edges)?,
            }
            // A co-author registers the same achievement a few days later (D21).
            if let Some(k) = b.shared
                && plans.len() > 1
                && let Some(src) = b.drafts.get(k)
            {
                let unit = b.unit;
                let colleagues: Vec<usize> = plans
                    .iter()
                    .enumerate()
                    .filter(|(i, p)| *i != person && p.unit_on(src.record.completed) == Some(unit))
                    .map(|(i, _)| i)
                    .collect();
                let colleague = colleagues
                    .get(rng.index(colleagues.len()))
                    .copied()
                    .unwrap_or((person + 1) % plans.len());
                let mut copy = src.clone();
                copy.person = colleague;
                copy.record.achievement = src.record.achievement.as_ref().map(|a| {
                    a.chars()
                        .filter(|c| !c.is_whitespace())
                        .flat_map(char::to_lowercase)
                        .collect()
                });
                copy.content = format!("{}（合作者）", src.content);
                copy.registered_on = plus(src.registered_on, rng.range(2, 15))?
                    .min(y.registration_deadline)
                    .max(src.registered_on);
                let cu = plans
                    .get(colleague)
                    .and_then(|p| p.unit_on(copy.record.completed))
                    .and_then(|u| world.units.get(u));
                if let Some(u) = cu {
                    copy.actor = format!("unit:{}", u.code);
                }
                b.drafts.push(copy);
            }
            drafts.append(&mut b.drafts);
        }
    }
    label(&mut drafts);
    drafts.sort_by(|a, b| {
        (a.registered_on, a.person, &a.record.id).cmp(&(b.registered_on, b.person, &b.record.id))
    });
    let person_id = |d: &Draft| plans.get(d.person).map_or(0, |p| p.id);
    // Registrations and voids in time order: the records registered up to a void's date, then
    // the void (with its correction), so that each person's entries stay in time order (D11).
    let mut voids: Vec<(Date, usize)> = drafts
        .iter()
        .enumerate()
        .filter_map(|(k, d)| d.void.as_ref().map(|v| (v.on, k)))
        .collect();
    voids.sort();
    let mut ids: Vec<i64> = Vec::with_capacity(drafts.len());
    for event in voids.into_iter().map(Some).chain([None]) {
        let end = match event {
            Some((on, _)) => drafts.partition_point(|d| d.registered_on <= on),
            None => drafts.len(),
        };
        if let Some(chunk) = drafts.get(ids.len()..end)
            && let Some(newest) = chunk.last()
        {
            let batch: Vec<NewRecord> = chunk.iter().map(|d| d.new_record(person_id(d))).collect();
            let registered = records::register(
                db,
                signer,
                &batch,
                ms(newest.registered_on, summary.records),
            )
            .await?;
            summary.records += u64::try_from(registered.len()).unwrap_or(0);
            ids.extend(registered.into_iter().map(|(id, _)| id));
        }
        let Some((v_on, k)) = event else {
            continue;
        };
        let (Some(d), Some(&id)) = (drafts.get(k), ids.get(k)) else {
            return Err(invalid("作废的记录尚未登记"));
        };
        let Some(v) = &d.void else { continue };
        let replacement = v.replacement.as_ref().map(|r| r.new_record(person_id(r)));
        records::void(
            db,
            signer,
            id,
            &v.reason,
            replacement.as_ref(),
            Act {
                actor: &d.actor,
                on: v_on,
                now_ms: ms(v_on, summary.voids),
            },
        )
        .await?;
        summary.voids += 1;
        if replacement.is_some() {
            summary.records += 1;
        }
    }
    Ok(())
}

/// Seeds an empty database with a plausible Lu'an (see the module documentation): places and
/// the ledger first, then units, the courseware register, training filings, and persons with
/// their records in batches of 500, reporting `progress(done_persons, total_persons)` after each.
pub async fn seed(
    db: &Db,
    keys: &Keys,
    signer: &LedgerSigner,
    policy: &Policy,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DemoSummary, StoreError> {
    let years = year_contexts(policy, &opts.years)?;
    registry::seed_places(db, policy).await?;
    registry::init_ledger(db, signer).await?;
    let zone = match zone_name(policy) {
        Some(name) => registry::zone_id(db, &name).await?.map(|id| (id, name)),
        None => None,
    };
    let first = years.first().map_or(2024, |y| y.year);
    let mut summary = DemoSummary::default();
    let units = create_units(
        db,
        opts,
        zone.as_ref().map(|(id, _)| *id),
        ymd(first - 1, 1, 1)?,
    )
    .await?;
    summary.units = u64::try_from(units.len()).unwrap_or(0);
    let providers = register_providers(db, signer, &years, &mut summary).await?;
    let mut world = World {
        seed: opts.seed,
        units,
        filings: Vec::new(),
        providers,
        years,
        persons: opts.persons,
    };
    world.filings = create_filings(
        db,
        signer,
        &world,
        zone.as_ref().map(|(id, name)| (*id, name.as_str())),
        &mut summary,
    )
    .await?;
    let mut used_ids = HashSet::new();
    let mut done = 0;
    while done < opts.persons {
        let end = (done + BATCH).min(opts.persons);
        seed_batch(
            db,
            keys,
            signer,
            &world,
            done..end,
            &mut used_ids,
            &mut summary,
        )
        .await?;
        done = end;
        progress(done, opts.persons);
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]

    use std::collections::BTreeMap;

    use xueshi_policy::case::Question;
    use xueshi_policy::{Decision, Options, RuleId, load_embedded};

    use super::*;
    use crate::{export, on_db, verify};

    fn policy() -> &'static Policy {
        static P: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
        P.get_or_init(|| load_embedded("anhui").unwrap())
    }

    fn path(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xueshi-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(format!("{name}.db"))
    }

    fn remove(name: &str) {
        let path = path(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    async fn fresh(name: &str) -> Db {
        remove(name);
        Db::open(&format!("sqlite://{}", path(name).display()))
            .await
            .unwrap()
    }

    async fn done(db: Db, name: &str) {
        db.close().await;
        remove(name);
    }

    async fn count(db: &Db, table: &str) -> u64 {
        let n: i64 = on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(p).await.unwrap());
        u64::try_from(n).unwrap()
    }

    type Row = (
        i64,
        String,
        String,
        Option<String>,
        String,
        Option<i64>,
        Option<i64>,
        String,
        String,
        i64,
    );

    /// Everything deterministic about the registered records and voids.
    async fn dump(db: &Db) -> (Vec<Row>, Vec<(i64, String, String)>) {
        let sql = "SELECT person_id, label, content, provider, completed_on, hours_tenths, minutes,
                   registered_on, actor, entry_index FROM records ORDER BY id";
        let vsql = "SELECT record_id, reason, voided_on FROM voids ORDER BY id";
        on_db!(db, p => (
            sqlx::query_as(sql).fetch_all(p).await.unwrap(),
            sqlx::query_as(vsql).fetch_all(p).await.unwrap(),
        ))
    }

    async fn seeded(
        name: &str,
        opts: &DemoOptions,
    ) -> (Db, LedgerSigner, DemoSummary, Vec<(u64, u64)>) {
        let db = fresh(name).await;
        let keys = Keys::from_master([9; 32]);
        let signer = LedgerSigner::new(&keys, "test.xueshi/demo").unwrap();
        let mut calls = Vec::new();
        let summary = seed(&db, &keys, &signer, policy(), opts, &mut |done, total| {
            calls.push((done, total));
        })
        .await
        .unwrap();
        (db, signer, summary, calls)
    }

    fn small() -> DemoOptions {
        DemoOptions {
            persons: 300,
            ..DemoOptions::default()
        }
    }

    #[test]
    fn the_defaults_are_lu_an_at_scale() {
        let o = DemoOptions::default();
        assert_eq!((o.persons, o.seed, o.years), (5000, 2026, 2024..=2026));
    }

    #[test]
    fn generated_identifiers_are_valid_and_the_generator_is_seeded() {
        let mut a = Rng::new(1, "x", 0);
        let mut b = Rng::new(1, "x", 0);
        let mut c = Rng::new(2, "x", 0);
        let (va, vb, vc): (Vec<u64>, Vec<u64>, Vec<u64>) = (
            (0..8).map(|_| a.next()).collect(),
            (0..8).map(|_| b.next()).collect(),
            (0..8).map(|_| c.next()).collect(),
        );
        assert_eq!(va, vb);
        assert_ne!(va, vc);
        let mut used = HashSet::new();
        for kind in UnitKind::ALL {
            let code = credit_code(&mut a, kind, 341_522, &mut used).unwrap();
            assert_eq!(CreditCode::parse(code.as_str()).unwrap(), code);
            assert_eq!(code.region_prefix(), 341_522);
        }
        // Every forced edge case lands on a distinct person, whatever the population.
        for persons in [1, 16, 300, 5000] {
            let forced: Vec<u32> = (0..persons)
                .map(|i| forced_edge(i, persons))
                .filter(|f| *f != 0)
                .collect();
            if persons >= 16 {
                assert_eq!(forced, FORCED.to_vec(), "{persons}");
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn seeding_is_counted_verifiable_and_deterministic() {
        let opts = small();
        let (db, signer, summary, calls) = seeded("a", &opts).await;
        assert_eq!(calls, vec![(300, 300)]);
        assert_eq!(summary.units, 20);
        assert_eq!(summary.persons, 300);
        assert_eq!(count(&db, "units").await, summary.units);
        assert_eq!(count(&db, "persons").await, summary.persons);
        assert_eq!(count(&db, "records").await, summary.records);
        assert_eq!(count(&db, "voids").await, summary.voids);
        assert_eq!(count(&db, "filings").await, summary.filings);
        assert_eq!(
            count(&db, "provider_registrations").await,
            summary.provider_registrations
        );
        assert!(summary.records > 300 * 3 * 4, "{summary:?}");
        assert!(summary.voids >= 2, "{summary:?}");
        // Units in every district and county, city-direct and in the zone.
        let regions: Vec<(i64, Option<i64>)> = on_db!(&db, p => sqlx::query_as(
            "SELECT DISTINCT region, zone_id FROM units ORDER BY region, zone_id").fetch_all(p).await.unwrap());
        assert!(
            regions.iter().any(|(r, z)| *r == 341_500 && z.is_none()),
            "{regions:?}"
        );
        assert!(regions.iter().any(|(_, z)| z.is_some()), "{regions:?}");
        // Some persons changed unit.
        let movers: i64 = on_db!(&db, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT person_id FROM employments GROUP BY person_id HAVING COUNT(*) > 1) AS m")
            .fetch_one(p).await.unwrap());
        assert!(movers > 0);

        let report = verify::verify(&db, &signer.verifier(), None).await.unwrap();
        assert!(report.ok(), "{:?}", report.problems);
        let decisions = count(&db, "filing_decisions").await;
        assert_eq!(
            report.entries,
            summary.records + summary.voids + decisions + summary.provider_registrations
        );

        let (again_db, _, again, _) = seeded("b", &opts).await;
        assert_eq!(again, summary);
        assert!(
            dump(&db).await == dump(&again_db).await,
            "same seed, same data"
        );
        // Another seed: another Lu'an (compared on the units, so no persons are needed).
        let (other_db, _, _, _) = seeded(
            "c",
            &DemoOptions {
                persons: 0,
                seed: 7,
                ..small()
            },
        )
        .await;
        let units = |db: Db| async move {
            let rows: Vec<(String, String)> = on_db!(&db, p => sqlx::query_as(
                "SELECT name, credit_code FROM units ORDER BY id").fetch_all(p).await.unwrap());
            rows
        };
        let (mine, theirs) = (units(db.clone()).await, units(other_db.clone()).await);
        assert_eq!(mine.len(), theirs.len());
        assert_ne!(mine, theirs, "another seed, other units");

        // Each person's entries are in time order (D11), corrections included.
        let entries: Vec<(i64, String, i64)> = on_db!(&db, p => sqlx::query_as(
            "SELECT person_id, registered_on, entry_index FROM records
             UNION ALL SELECT person_id, voided_on, entry_index FROM voids
             ORDER BY 1, 3").fetch_all(p).await.unwrap());
        for pair in entries.windows(2) {
            let ((p1, d1, _), (p2, d2, _)) = (&pair[0], &pair[1]);
            assert!(p1 != p2 || d1 <= d2, "{pair:?}");
        }
        for (db, name) in [(db, "a"), (again_db, "b"), (other_db, "c")] {
            done(db, name).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_data_holds_compliant_years_and_every_edge_case() {
        let (db, _, summary, _) = seeded("d", &small()).await;
        let persons: Vec<i64> = on_db!(&db, p => sqlx::query_scalar("SELECT id FROM persons ORDER BY id")
            .fetch_all(p).await.unwrap());
        let mut rejected: BTreeMap<&str, u64> = BTreeMap::new();
        let mut warnings: BTreeMap<&str, u64> = BTreeMap::new();
        let mut cycle_failed: BTreeMap<&str, u64> = BTreeMap::new();
        let mut compliant_2026 = 0u64;
        for &person in &persons {
            for year in 2024..=2026 {
                let case = export::person_year_case(&db, policy(), person, year)
                    .await
                    .unwrap();
                let Decision::Annual(d) = case
                    .evaluate(policy(), Options::default())
                    .unwrap()
                    .decision
                else {
                    panic!("not an annual decision")
                };
                if year == 2026 && d.compliant {
                    compliant_2026 += 1;
                }
                for r in d.records.iter().filter(|r| r.credit_year == year) {
                    if let Some(rule) = r.rejected {
                        *rejected.entry(rule.as_str()).or_default() += 1;
                    }
                }
                for w in &d.warnings {
                    *warnings.entry(w.rule.as_str()).or_default() += 1;
                }
                if year == 2026 {
                    let mut cycle = case.clone();
                    cycle.question = Question::Cycle {
                        first: 2024,
                        last: 2026,
                    };
                    let Decision::Cycle(c) = cycle
                        .evaluate(policy(), Options::default())
                        .unwrap()
                        .decision
                    else {
                        panic!("not a cycle decision")
                    };
                    for rule in c.failed().iter() {
                        *cycle_failed.entry(rule.as_str()).or_default() += 1;
                    }
                }
            }
        }
        // Mostly compliant, not all.
        assert!(
            compliant_2026 > 300 * 6 / 10 && compliant_2026 < 300,
            "{compliant_2026} of 300 compliant in 2026"
        );
        for rule in [
            RuleId::OnlineBaseCap,
            RuleId::OnlineBaseExam,
            RuleId::FilingRequired,
            RuleId::ProviderRegistered,
            RuleId::ConversionDuplicate,
            RuleId::RegistrationClosed,
        ] {
            assert!(
                rejected.contains_key(rule.as_str()),
                "no record rejected by {rule}: {rejected:?}"
            );
        }
        assert!(warnings.contains_key("record.overlap"), "{warnings:?}");
        assert!(
            cycle_failed.contains_key("cycle.no_cramming"),
            "{cycle_failed:?}"
        );
        // Conversions with a kind, minutes, public records for the year before, corrections.
        let scalar = |sql: &'static str| {
            let db = db.clone();
            async move {
                let n: i64 = on_db!(&db, p => sqlx::query_scalar(sql).fetch_one(p).await.unwrap());
                n
            }
        };
        assert!(scalar("SELECT COUNT(*) FROM records WHERE form = 'conversion' AND conversion_kind IS NOT NULL AND subject = 'public'").await > 0);
        assert!(
            scalar("SELECT COUNT(*) FROM records WHERE minutes IS NOT NULL AND form = 'academic'")
                .await
                > 0
        );
        assert!(scalar("SELECT COUNT(*) FROM records WHERE for_year = 2026 AND completed_on >= '2027-01-01'").await > 0);
        assert!(scalar("SELECT COUNT(*) FROM voids WHERE replaced_by IS NOT NULL").await > 0);
        assert!(scalar("SELECT COUNT(*) FROM voids WHERE replaced_by IS NULL").await > 0);
        assert!(
            scalar(
                "SELECT COUNT(*) FROM filing_decisions WHERE NOT approved AND reason IS NOT NULL"
            )
            .await
                > 0
        );
        assert!(summary.voids > 0);
        done(db, "d").await;
    }
}
