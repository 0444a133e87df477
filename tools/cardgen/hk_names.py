"""Name material for synthetic Hong Kong ID cards (hand lists, HK-government romanisation).

Every Chinese character here has a telegraph code in
src/cardocr/documents/checks/telegraph.tsv (tests check that).
"""

from __future__ import annotations

# (surname, romanisation as printed, weight)
SURNAMES: list[tuple[str, str, float]] = [
    ("陳", "CHAN", 8.0), ("李", "LEE", 5.0), ("張", "CHEUNG", 4.5), ("黃", "WONG", 5.5), ("何", "HO", 3.0),
    ("林", "LAM", 3.5), ("吳", "NG", 3.0), ("劉", "LAU", 3.5), ("蔡", "CHOI", 1.5), ("鄭", "CHENG", 2.0),
    ("梁", "LEUNG", 3.5), ("王", "WONG", 2.0), ("楊", "YEUNG", 2.0), ("周", "CHOW", 1.8), ("謝", "TSE", 1.5),
    ("郭", "KWOK", 1.5), ("馮", "FUNG", 1.3), ("曾", "TSANG", 1.5), ("鄧", "TANG", 1.5), ("區", "AU", 0.8),
    ("羅", "LAW", 1.5), ("麥", "MAK", 1.2), ("朱", "CHU", 1.3), ("葉", "YIP", 1.3), ("余", "YU", 1.0),
    ("潘", "POON", 1.0), ("盧", "LO", 1.0), ("陸", "LUK", 0.6), ("高", "KO", 0.8), ("鍾", "CHUNG", 1.0),
    ("袁", "YUEN", 0.8), ("蘇", "SO", 0.8), ("許", "HUI", 1.0), ("彭", "PANG", 0.7), ("馬", "MA", 0.8),
    ("胡", "WU", 0.8), ("石", "SHEK", 0.4), ("江", "KONG", 0.5), ("譚", "TAM", 1.0), ("徐", "TSUI", 0.8),
    ("孫", "SUEN", 0.5), ("關", "KWAN", 0.6), ("文", "MAN", 0.5), ("韓", "HON", 0.4), ("姚", "YIU", 0.4),
    ("莫", "MOK", 0.6), ("溫", "WAN", 0.5), ("賴", "LAI", 0.5), ("黎", "LAI", 0.7), ("范", "FAN", 0.3),
    ("方", "FONG", 0.5), ("樂", "LOK", 0.2), ("唐", "TONG", 0.5), ("簡", "KAN", 0.3), ("邱", "YAU", 0.4),
    ("岑", "SHUM", 0.3), ("施", "SZE", 0.3), ("崔", "TSUI", 0.3), ("伍", "NG", 0.6), ("杜", "TO", 0.4),
    ("勞", "LO", 0.2), ("廖", "LIU", 0.5), ("嚴", "YIM", 0.3), ("冼", "SIN", 0.3), ("湯", "TONG", 0.3),
    ("歐陽", "AU YEUNG", 0.5), ("司徒", "SZETO", 0.4), ("上官", "SHEUNG KOON", 0.05), ("諸葛", "CHU KOT", 0.03),
]

# given-name character -> romanisation syllable (title case on the card)
GIVEN: dict[str, str] = {
    "偉": "Wai", "華": "Wah", "明": "Ming", "強": "Keung", "文": "Man", "輝": "Fai", "國": "Kwok", "志": "Chi",
    "豪": "Ho", "傑": "Kit", "俊": "Chun", "家": "Ka", "嘉": "Ka", "子": "Tsz", "思": "Sze", "詠": "Wing",
    "永": "Wing", "榮": "Wing", "穎": "Wing", "欣": "Yan", "恩": "Yan", "仁": "Yan", "敏": "Man", "美": "Mei",
    "玲": "Ling", "麗": "Lai", "芳": "Fong", "婷": "Ting", "慧": "Wai", "惠": "Wai", "瑩": "Ying", "英": "Ying",
    "鳳": "Fung", "珊": "Shan", "秀": "Sau", "淑": "Suk", "雅": "Nga", "妍": "Yin", "燕": "Yin", "萍": "Ping",
    "琪": "Kei", "琦": "Kei", "基": "Kei", "浩": "Ho", "健": "Kin", "建": "Kin", "德": "Tak", "達": "Tat",
    "成": "Shing", "誠": "Shing", "勝": "Sing", "星": "Sing", "光": "Kwong", "廣": "Kwong", "宏": "Wang",
    "鴻": "Hung", "雄": "Hung", "康": "Hong", "安": "On", "樂": "Lok", "晴": "Ching", "清": "Ching",
    "正": "Ching", "靜": "Ching", "晶": "Ching", "卓": "Cheuk", "天": "Tin", "添": "Tim", "祖": "Cho",
    "寶": "Po", "保": "Po", "寧": "Ning", "海": "Hoi", "凱": "Hoi", "聰": "Chung", "中": "Chung", "忠": "Chung",
    "宗": "Chung", "頌": "Chung", "泰": "Tai", "大": "Tai", "小": "Siu", "少": "Siu", "兆": "Siu", "佩": "Pui",
    "沛": "Pui", "培": "Pui", "慶": "Hing", "興": "Hing", "潔": "Kit", "東": "Tung", "冬": "Tung", "彤": "Tung",
    "桐": "Tung", "森": "Sum", "心": "Sum", "振": "Chun", "珍": "Chun", "進": "Chun", "春": "Chun", "銘": "Ming",
    "耀": "Yiu", "堯": "Yiu", "霖": "Lam", "琳": "Lam", "嵐": "Lam", "莉": "Lei", "利": "Lei",
    "倩": "Sin", "善": "Sin", "詩": "Sze", "斯": "Sze", "樹": "Shu", "書": "Shu", "舒": "Shu", "恆": "Hang",
    "杏": "Hang", "君": "Kwan", "均": "Kwan", "軍": "Kwan", "群": "Kwan", "坤": "Kwan", "倫": "Lun", "麟": "Lun",
    "鈞": "Kwan", "謙": "Him", "顯": "Hin", "軒": "Hin", "賢": "Yin", "然": "Yin", "彥": "Yin", "佳": "Kai",
    "啓": "Kai", "繼": "Kai", "麒": "Kei", "奇": "Kei", "紀": "Kei", "錦": "Kam", "金": "Kam", "鑫": "Yam",
    "欽": "Yam", "蔭": "Yam", "維": "Wai", "威": "Wai", "瑋": "Wai", "煒": "Wai", "韋": "Wai", "雲": "Wan",
    "允": "Wan", "運": "Wan", "韻": "Wan", "民": "Man", "萬": "Man", "雯": "Man", "曼": "Man", "翠": "Chui",
    "秋": "Chau", "洲": "Chau", "宇": "Yu", "雨": "Yu", "如": "Yu", "儒": "Yu", "裕": "Yu", "玉": "Yuk",
    "旭": "Yuk", "月": "Yuet", "悦": "Yuet", "昌": "Cheong", "祥": "Cheung", "翔": "Cheung", "章": "Cheung",
    "燦": "Chan", "晨": "San", "新": "San", "信": "Shun", "順": "Shun", "純": "Shun", "宣": "Suen", "璇": "Suen",
    "瑜": "Yu", "茵": "Yan", "潤": "Yun", "婉": "Yuen", "苑": "Yuen", "源": "Yuen", "元": "Yuen", "遠": "Yuen",
    "漢": "Hon", "瀚": "Hon", "翰": "Hon", "柏": "Pak", "伯": "Pak", "百": "Pak", "博": "Pok", "朗": "Long",
    "龍": "Lung", "隆": "Lung", "慈": "Chi", "智": "Chi", "芝": "Chi", "致": "Chi", "紫": "Tsz", "梓": "Tsz",
    "芷": "Tsz", "力": "Lik", "立": "Lap", "益": "Yik", "亦": "Yik", "奕": "Yik", "逸": "Yat", "日": "Yat",
    "兒": "Yi", "儀": "Yi", "怡": "Yi", "宜": "Yi", "綺": "Yee", "依": "Yee", "芬": "Fun", "寬": "Foon",
    "歡": "Foon", "蓮": "Lin", "嬌": "Kiu", "喬": "Kiu", "紅": "Hung", "霞": "Ha", "瓊": "King", "景": "King",
    "敬": "King", "峰": "Fung", "鋒": "Fung", "楓": "Fung", "豐": "Fung", "彬": "Pan", "斌": "Pan", "邦": "Pong",
    "富": "Fu", "福": "Fuk", "壽": "Sau", "修": "Sau", "有": "Yau", "友": "Yau", "佑": "Yau", "柔": "Yau",
    "昭": "Chiu", "超": "Chiu", "展": "Chin", "千": "Chin", "毅": "Ngai", "銀": "Ngan", "雁": "Ngan",
    "崇": "Sung", "松": "Chung", "蕙": "Wai", "泳": "Wing", "鎮": "Chun", "駿": "Chun", "灝": "Ho", "皓": "Ho",
    "霆": "Ting", "庭": "Ting", "廷": "Ting", "挺": "Ting", "穗": "Sui", "瑞": "Sui", "水": "Shui", "曉": "Hiu",
    "希": "Hei", "熙": "Hei", "喜": "Hei", "彩": "Choi", "才": "Choi", "財": "Choi", "晉": "Chun", "鏗": "Hang",
}

# English given names some people carry before their Chinese given name.
ENGLISH_GIVEN_M = ["Peter", "David", "Michael", "John", "Paul", "Eric", "Kenneth", "Raymond", "Alan", "Tony",
                   "Vincent", "Jason", "Kevin", "Ivan", "Gary", "Wilson", "Stephen", "Patrick", "Dennis", "Andy"]
ENGLISH_GIVEN_F = ["Mary", "Karen", "Grace", "Winnie", "Carmen", "Vivian", "Jenny", "Joyce", "Cindy", "Amy",
                   "Candy", "Ada", "Iris", "Emily", "Shirley", "Gloria", "Maggie", "Queenie", "Fiona", "Yvonne"]

# Holders without a Chinese name: (SURNAME, [male given], [female given])
FOREIGN: list[tuple[str, list[str], list[str]]] = [
    ("SINGH", ["Harpreet", "Gurdeep", "Manjit"], ["Harpreet Kaur", "Simran Kaur"]),
    ("KHAN", ["Muhammad Ali", "Imran", "Asif"], ["Ayesha", "Fatima Bibi"]),
    ("SMITH", ["John David", "Thomas"], ["Sarah Jane", "Emma"]),
    ("SANTOS", ["Jose Antonio", "Mark"], ["Maria Cristina", "Joy Ann"]),
    ("GURUNG", ["Ram Bahadur", "Dil"], ["Sita", "Kamala"]),
    ("DELA CRUZ", ["Juan", "Ramon"], ["Rosalie", "Maria Luz"]),
    ("SHARMA", ["Rajesh Kumar", "Anil"], ["Priya", "Sunita"]),
    ("WILLIAMS", ["James Robert", "Oliver"], ["Charlotte", "Lucy Anne"]),
    ("SUHARTI", ["Budi"], ["Siti", "Dewi"]),
    ("RAI", ["Prem Kumar", "Bikash"], ["Anita", "Mina"]),
]

# Given-name characters that lean one way (used to make names look gendered).
FEMALE_LEAN = set("美玲麗芳婷慧惠瑩英鳳珊秀淑雅妍燕萍琪嵐莉倩詩茵婉苑兒儀怡綺依芬蓮嬌霞瓊雯曼翠韻蕙彩珍潔佩穎欣恩敏琳紫芷悦月玉宜柔")
MALE_LEAN = set("偉華強輝國志豪傑俊浩健建德達成誠勝光廣宏鴻雄康天添祖海凱聰忠宗泰興東森振進銘耀堯霖軍坤倫麟謙顯軒彥啓繼麒錦鑫威煒韋民萬昌祥翔章燦漢瀚翰柏伯博朗龍隆力立毅崇松峰鋒楓豐彬斌邦富福壽財才霆廷挺")
